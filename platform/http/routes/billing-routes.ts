import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  exportBilling,
  getBilling,
  getBillingHistory,
  getBillingPerDay,
  getBillingSummaryOfBillItems,
  getBillingSummaryOfSims,
  getLatestBilling,
} from '../../app/billing.js';
import type { AppContext } from '../../app/context.js';
import { getExportedFile, saveExportedFile } from '../../app/exported-files.js';
import { PlatformError, domainError } from '../../domain/errors.js';

const billing = (operationId: string) => ({ spec: { operationId, tag: 'Billing' } });

const monthParams = { type: 'object', required: ['yyyyMM'], properties: { yyyyMM: { type: 'string' } } } as const;
/** Reference `export_mode`: `sync` (default) answers `{url}`, `async` `{exportedFileId, exportedFilePath}`. */
export const exportQuery = { type: 'object', properties: { export_mode: { type: 'string', enum: ['async', 'sync'] } } } as const;

const who = (request: FastifyRequest) => ({ operatorId: request.principal!.operatorId, coverage: request.coverageType });

/** Stores an export and answers in the reference's FileExportResponse shape. */
export async function answerExport(
  ctx: AppContext,
  request: FastifyRequest,
  file: { tag: string; fileName: string; contentType: string; body: string },
): Promise<Record<string, string>> {
  const fileId = await saveExportedFile(ctx, { operatorId: request.principal!.operatorId, ...file });
  const path = `/_cellgate/files/${fileId}`;
  if ((request.query as { export_mode?: string }).export_mode === 'async') return { exportedFileId: fileId, exportedFilePath: path };
  return { url: `${request.protocol}://${request.host}${path}` };
}

/**
 * The Billing API (reference tag `Billing`): monthly bills, daily bills, the open month, the
 * detailed CSV export and the 4-month summaries, for the caller's operator and the request's
 * coverage type. Plus `GET /_cellgate/files/{file_id}`, where exports are downloaded.
 */
export function registerBillingRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  fastify.get('/v1/bills', { config: billing('getBillingHistory') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return getBillingHistory(ctx, operatorId, coverage);
  });
  fastify.get('/v1/bills/latest', { config: billing('getLatestBilling') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return getLatestBilling(ctx, operatorId, coverage);
  });
  fastify.post('/v1/bills/latest/export', { schema: { querystring: exportQuery }, config: billing('exportLatestBilling') }, async (request) => {
    const { operatorId, coverage } = who(request);
    const { yearMonth, csv } = await exportBilling(ctx, operatorId, coverage);
    return answerExport(ctx, request, { tag: 'Billing', fileName: `billing-${coverage}-${yearMonth}.csv`, contentType: 'text/csv; charset=utf-8', body: csv });
  });
  fastify.get('/v1/bills/summaries/bill_items', { config: billing('getBillingSummaryOfBillItems') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return getBillingSummaryOfBillItems(ctx, operatorId, coverage);
  });
  fastify.get('/v1/bills/summaries/sims', { config: billing('getBillingSummaryOfSims') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return getBillingSummaryOfSims(ctx, operatorId, coverage);
  });
  fastify.get('/v1/bills/:yyyyMM', { schema: { params: monthParams }, config: billing('getBilling') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return getBilling(ctx, operatorId, coverage, (request.params as { yyyyMM: string }).yyyyMM);
  });
  fastify.get('/v1/bills/:yyyyMM/daily', { schema: { params: monthParams }, config: billing('getBillingPerDay') }, async (request) => {
    const { operatorId, coverage } = who(request);
    return getBillingPerDay(ctx, operatorId, coverage, (request.params as { yyyyMM: string }).yyyyMM);
  });
  fastify.post('/v1/bills/:yyyyMM/export', { schema: { params: monthParams, querystring: exportQuery }, config: billing('exportBilling') }, async (request) => {
    const { operatorId, coverage } = who(request);
    const { yearMonth, csv } = await exportBilling(ctx, operatorId, coverage, (request.params as { yyyyMM: string }).yyyyMM);
    return answerExport(ctx, request, { tag: 'Billing', fileName: `billing-${coverage}-${yearMonth}.csv`, contentType: 'text/csv; charset=utf-8', body: csv });
  });

  fastify.get(
    '/_cellgate/files/:file_id',
    {
      schema: { params: { type: 'object', required: ['file_id'], properties: { file_id: { type: 'string', minLength: 1 } } } },
      config: { spec: { operationId: 'downloadCellgateExportedFile', tag: 'Cellgate', summary: 'Download a file made by an export operation' } },
    },
    async (request, reply: FastifyReply) => {
      const file = await getExportedFile(ctx, request.principal!.operatorId, (request.params as { file_id: string }).file_id);
      // Payment files follow the Payment rule: root only.
      if (file.tag === 'Payment' && request.principal!.userName !== null) throw new PlatformError(domainError('AUM0006'));
      return reply.header('content-type', file.contentType).header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.body);
    },
  );
}
