export { Matrix } from './matrix.js';
export * from './estimator.js';
export * from './onnx/graph.js';
