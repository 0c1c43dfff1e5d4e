export { Module } from './module.js';
export { Embedding, Linear, ReLU, Sigmoid, Tanh, Sequential, type EmbeddingOptions, type LinearOptions } from './layers.js';
export { BatchNorm1d, type BatchNormOptions } from './batchnorm.js';
export { Dropout } from './dropout.js';
export { initTensor, type Init } from './init.js';
export { autocast, autocastDtype, float32 } from './autocast.js';
