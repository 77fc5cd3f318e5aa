import { PlatformError, domainError } from '../domain/errors.js';

/** The operator id a route acts on must be the caller's own (403 AUM0008 otherwise). */
export function assertOwnOperator(principalOperatorId: string, operatorId: string): void {
  if (principalOperatorId !== operatorId) throw new PlatformError(domainError('AUM0008'));
}
