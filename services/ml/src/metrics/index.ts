export * from './classification.js';
export * from './regression.js';
export * from './curves.js';
export * from './calibration.js';
export * from './drift.js';
