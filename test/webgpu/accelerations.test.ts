/**
 * Every acceleration of the WebGPU backend against its reference composition, both on
 * WebGPU (test/helpers/accelerations.ts): the fused kernels against the same ops run on the
 * backend's primitives. float16 stays out: in-place updates of float16 tensors are refused
 * here (two invocations must not write one word), and the float16 kernels are compared with
 * the CPU's in kernels.test.ts.
 */
import { test } from 'uvu';
import { accelerationTests } from '../helpers/accelerations.js';
import { backendsOrSkip } from './helpers.js';

if (await backendsOrSkip('test/webgpu/accelerations.test.ts')) accelerationTests({ backend: 'webgpu', tol: 2e-5 });

test.run();
