/**
 * Files made by export operations (exportBilling, exportLatestBilling, exportPaymentStatement),
 * kept in the store (kind `exported-file`, partition = operator) and downloaded through
 * `GET /_cellgate/files/{file_id}` with the operator's credentials — where the real platform
 * hands out a pre-signed storage URL. [choice] Files are kept; ids are 128-bit random.
 */
import { PlatformError, domainError } from '../domain/errors.js';
import { useCase, type AppContext } from './context.js';
import { randomHex } from './ids.js';

export const EXPORTED_FILE_KIND = 'exported-file';

export interface ExportedFile {
  fileId: string;
  operatorId: string;
  /** The API tag of the export; `Payment` files are for the root user only. */
  tag: string;
  fileName: string;
  contentType: string;
  body: string;
  createdAt: number;
}

/** Stores a file; returns its id (`fe_<32 hex>`, shaped like the reference's `exportedFileId`). */
export async function saveExportedFile(ctx: AppContext, file: Omit<ExportedFile, 'fileId' | 'createdAt'>): Promise<string> {
  const fileId = `fe_${randomHex(ctx.random, 16)}`;
  await useCase(ctx, (tx) => tx.put(EXPORTED_FILE_KIND, fileId, { ...file, fileId, createdAt: ctx.clock.now() } satisfies ExportedFile, file.operatorId));
  return fileId;
}

/** The operator's file, or BIL0008 (404) — another operator's file is not found either. */
export async function getExportedFile(ctx: AppContext, operatorId: string, fileId: string): Promise<ExportedFile> {
  const file = await ctx.store.transaction((tx) => tx.get<ExportedFile>(EXPORTED_FILE_KIND, fileId));
  if (!file || file.operatorId !== operatorId) throw new PlatformError(domainError('BIL0008', `(${fileId})`));
  return file;
}
