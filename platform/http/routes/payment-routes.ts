import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import {
  activatePaymentMethod,
  enableBankTransfer,
  exportPaymentStatement,
  getPaymentMethod,
  getPaymentTransaction,
  listCharges,
  listPaymentStatements,
  listPaymentTransactions,
  recordBankTransferReceived,
  registerCreditCard,
} from '../../app/payments.js';
import { answerExport, exportQuery } from './billing-routes.js';

/**
 * Every payment route carries the tag `Payment`, which is root only: a SAM user is refused with
 * `403 AUM0006` whatever its permission says (the server's onRequest hook, ROOT_ONLY_TAGS).
 */
const payment = (operationId: string, summary?: string) => ({ spec: { operationId, tag: 'Payment', ...(summary ? { summary } : {}) } });

const who = (request: FastifyRequest) => ({ operatorId: request.principal!.operatorId, coverage: request.coverageType });

const idParams = (name: string) => ({ type: 'object', required: [name], properties: { [name]: { type: 'string', minLength: 1, maxLength: 200 } } });

const cardBody = {
  type: 'object',
  additionalProperties: false,
  required: ['number', 'expMonth', 'expYear', 'cvc'],
  properties: {
    number: { type: 'string', minLength: 1, maxLength: 40 },
    expMonth: { type: 'integer' },
    expYear: { type: 'integer' },
    cvc: { type: 'string', minLength: 1, maxLength: 8 },
    holderName: { type: 'string', maxLength: 200 },
  },
} as const;

const bankTransferBody = {
  type: 'object',
  additionalProperties: false,
  properties: { invoiceDueDays: { type: 'integer', minimum: 1, maximum: 365 } },
} as const;

/**
 * The Payment API (reference tag `Payment`) for the request's coverage type, plus cellgate's own
 * payment endpoints under `/_cellgate` (the real platform registers cards through a web form and
 * enables bank transfer through support; docs/api.md).
 */
export function registerPaymentRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get('/v1/payment_methods/current', { config: payment('getPaymentMethod') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return getPaymentMethod(ctx, operatorId, coverage);
  });
  fastify.post('/v1/payment_methods/current/activate', { config: payment('activatePaymentMethod') }, async (request) => {
    const { operatorId, coverage } = who(request);
    await activatePaymentMethod(ctx, operatorId, coverage);
    return {};
  });
  fastify.get('/v1/payment_statements', { config: payment('listPaymentStatements') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return listPaymentStatements(ctx, operatorId, coverage);
  });
  fastify.post(
    '/v1/payment_statements/:payment_statement_id/export',
    { schema: { params: idParams('payment_statement_id'), querystring: exportQuery }, config: payment('exportPaymentStatement') },
    async (request) => {
      const { operatorId, coverage } = who(request);
      const id = (request.params as { payment_statement_id: string }).payment_statement_id;
      const csv = await exportPaymentStatement(ctx, operatorId, coverage, id);
      return answerExport(ctx, request, { tag: 'Payment', fileName: `payment-statement-${id}.csv`, contentType: 'text/csv; charset=utf-8', body: csv });
    },
  );
  fastify.get(
    '/v1/payment_history/transactions/:payment_transaction_id',
    { schema: { params: idParams('payment_transaction_id') }, config: payment('getPaymentTransaction') },
    async (request) => {
      const { operatorId, coverage } = who(request);
      return getPaymentTransaction(ctx, operatorId, coverage, (request.params as { payment_transaction_id: string }).payment_transaction_id);
    },
  );

  // cellgate's own payment endpoints (not in the reference).
  fastify.post(
    '/_cellgate/payment_methods/credit_card',
    { schema: { body: cardBody }, config: payment('registerCellgateCreditCard', 'Register a credit card (replaces the current method; retries outstanding monthly charges)') },
    async (request) => {
      const { operatorId, coverage } = who(request);
      return registerCreditCard(ctx, operatorId, coverage, request.body as { number: string; expMonth: number; expYear: number; cvc: string; holderName?: string });
    },
  );
  fastify.post(
    '/_cellgate/payment_methods/bank_transfer',
    { schema: { body: bankTransferBody }, config: payment('enableCellgateBankTransfer', 'Switch to bank transfer: monthly invoices instead of card charges') },
    async (request) => {
      const { operatorId, coverage } = who(request);
      return enableBankTransfer(ctx, operatorId, coverage, (request.body as { invoiceDueDays?: number }).invoiceDueDays);
    },
  );
  fastify.get('/_cellgate/payment_history/transactions', { config: payment('listCellgatePaymentTransactions', 'Payment transaction history, newest first') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return listPaymentTransactions(ctx, operatorId, coverage);
  });
  fastify.get('/_cellgate/payment_charges', { config: payment('listCellgatePaymentCharges', 'Monthly and order charges with their state (invoices included)') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return listCharges(ctx, operatorId, coverage);
  });
  fastify.post(
    '/_cellgate/payment_charges/:charge_id/bank_transfer_received',
    { schema: { params: idParams('charge_id') }, config: payment('recordCellgateBankTransferReceived', 'Record the bank transfer paying an invoice') },
    async (request) => {
      const { operatorId, coverage } = who(request);
      await recordBankTransferReceived(ctx, operatorId, coverage, (request.params as { charge_id: string }).charge_id);
      return {};
    },
  );
}
