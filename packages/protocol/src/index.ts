export * from './member.js';
export * from './limits.js';
export * from './channels.js';
export * from './events.js';
export * from './config.js';
export * from './errors.js';
export * from './webhooks.js';
