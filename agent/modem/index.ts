/**
 * Modem drivers (agent/modem): AT commands as data, pure parsers of answers and URCs, and vendor
 * dialects as declarative profiles. The session machine (agent/session) drives them.
 */
export * from './args.js';
export * from './parsers.js';
export * from './commands.js';
export * from './causes.js';
export * from './dialects.js';
