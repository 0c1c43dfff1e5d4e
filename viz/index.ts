/**
 * Pictures as SVG strings (no DOM, no dependencies; Node and browsers alike): training
 * curves from a metrics log, 2-D maps of item embeddings (t-SNE, with how faithful the map
 * is measured), and the pieces they are made of.
 */
export { trainingCurvesSvg, parseMetricsLog, curvePanels, lowerIsBetter, type CurveSeries, type MetricsRecord, type EpochRecord, type BatchRecord } from './curves.js';
export { itemMap, type ItemMapOptions, type ItemMapResult } from './item-map.js';
export { embeddingMapSvg, type EmbeddingMapOptions, type MapLabel } from './map.js';
export { tsne, jointProbabilities, type TsneOptions, type TsneResult, type Affinities } from './tsne.js';
export { pca2 } from './pca.js';
export { nearestNeighbours, neighbourhoodPreservation, normalizeRows, type Neighbours } from './neighbours.js';
