export * from './doc-id.js';
export * from './errors.js';
export * from './events.js';
export * from './limits.js';
export * from './protocol.js';
