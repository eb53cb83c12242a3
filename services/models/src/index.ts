export * from './registry.js';
export * from './train-spec.js';
