export { Tree, UNLIMITED, depthLimit } from './tree.js';
export { TreeGrower, resolveMaxFeatures } from './grow.js';
export type { Criterion, TreeTarget, GrowOptions } from './grow.js';
export { presort, float32Rows } from './presort.js';
export type { Presorted } from './presort.js';
export { Stream, mix } from './random.js';
