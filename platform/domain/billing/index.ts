/** Billing and payment: pure rules (docs/billing.md). The public surface for app, store, HTTP. */
export * from './money.js';
export * from './rounding.js';
export * from './calendar.js';
export * from './types.js';
export * from './errors.js';
export * from './plan-rules.js';
export * from './fee-schedule.js';
export * from './default-fee-schedules.js';
export * from './history.js';
export * from './renewal.js';
export * from './rating.js';
export * from './statements.js';
export * from './csv-export.js';
export * from './card-processor.js';
export * from './payment-account.js';
export * from './payment-views.js';
