export * from './gsm7.js';
export * from './pdu.js';
