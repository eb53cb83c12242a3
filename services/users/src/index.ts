export * from './passwords.js';
export * from './repository.js';
export * from './service.js';
export * from './cli.js';
