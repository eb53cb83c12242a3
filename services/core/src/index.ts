export * from './config.js';
export * from './secrets.js';
export * from './errors.js';
export * from './db.js';
export * from './migrate.js';
export * from './tokens.js';
export * from './document-claims.js';
export * from './logging.js';
