export * from './registry.js';
export * from './train-spec.js';
export * from './serving.js';
export * from './monitoring.js';
export * from './model-inputs.js';
export * from './model-schema.js';
export * from './serving-account.js';
export * from './example-observation.js';
