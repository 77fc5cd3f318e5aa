import { fail, ok, type Result } from './errors.js';
import { COVERAGE_TYPES, isEmail, isUserName, type CoverageType } from './ids.js';
import { parsePermission } from './permissions.js';

/**
 * Per coverage type settings of an operator (SPEC §1.1). `paymentMethod` is owned by the billing
 * / payment part; the core only keeps the slot.
 */
export interface CoverageSettings {
  termsAccepted: boolean;
  paymentMethod: unknown | null;
}

export interface Operator {
  operatorId: string;
  email: string;
  /** scrypt hash (`scrypt$salt$hash`), made by the app layer. */
  passwordHash: string;
  description: string;
  createDate: number;
  updateDate: number;
  coverage: Record<CoverageType, CoverageSettings>;
}

export interface SamUser {
  operatorId: string;
  userName: string;
  description: string;
  passwordHash: string | null;
  /** The permission JSON string as set (reference `SetUserPermissionRequest.permission`). */
  permission: string | null;
  createDateTime: number;
  updateDateTime: number;
}

/** An auth key of the root user (`userName` absent) or of a SAM user. */
export interface AuthKey {
  authKeyId: string;
  secretHash: string;
  operatorId: string;
  userName: string | null;
  createDateTime: number;
  lastUsedDateTime: number | null;
}

export const MIN_PASSWORD_LENGTH = 8;

export function checkPassword(password: string): Result<string> {
  return password.length >= MIN_PASSWORD_LENGTH ? ok(password) : fail('OPM0004');
}

export function newOperator(input: {
  operatorId: string;
  email: string;
  passwordHash: string;
  coverageTypes: CoverageType[];
  now: number;
}): Result<Operator> {
  if (!isEmail(input.email)) return fail('OPM0003');
  const coverage = {} as Record<CoverageType, CoverageSettings>;
  for (const c of COVERAGE_TYPES) coverage[c] = { termsAccepted: input.coverageTypes.includes(c), paymentMethod: null };
  return ok({
    operatorId: input.operatorId,
    email: input.email.toLowerCase(),
    passwordHash: input.passwordHash,
    description: '',
    createDate: input.now,
    updateDate: input.now,
    coverage,
  });
}

/** `getOperator` JSON (reference `GetOperatorResponse`). */
export function toOperatorJson(op: Operator): Record<string, unknown> {
  return {
    operatorId: op.operatorId,
    rootOperatorId: op.operatorId,
    email: op.email,
    description: op.description,
    createDate: new Date(op.createDate).toISOString(),
    updateDate: new Date(op.updateDate).toISOString(),
    coverageTypes: Object.entries(op.coverage).filter(([, c]) => c.termsAccepted).map(([t]) => t),
  };
}

export function newSamUser(input: { operatorId: string; userName: string; description?: string; now: number }): Result<SamUser> {
  if (!isUserName(input.userName)) return fail('USM0003');
  const seconds = Math.floor(input.now / 1000);
  return ok({
    operatorId: input.operatorId,
    userName: input.userName,
    description: input.description ?? '',
    passwordHash: null,
    permission: null,
    createDateTime: seconds,
    updateDateTime: seconds,
  });
}

export function setPermission(user: SamUser, permission: string, now: number): Result<SamUser> {
  const parsed = parsePermission(permission);
  if (!parsed.ok) return parsed;
  return ok({ ...user, permission, updateDateTime: Math.floor(now / 1000) });
}

/** `getUser` JSON (reference `UserDetailResponse`). */
export function toUserJson(user: SamUser, authKeys: AuthKey[]): Record<string, unknown> {
  const json: Record<string, unknown> = {
    userName: user.userName,
    description: user.description,
    hasPassword: user.passwordHash !== null,
    createDateTime: user.createDateTime,
    updateDateTime: user.updateDateTime,
    authKeyList: authKeys.map(toAuthKeyJson),
    roleList: [],
  };
  if (user.permission !== null) json.permission = user.permission;
  return json;
}

export function toAuthKeyJson(k: AuthKey): Record<string, unknown> {
  const json: Record<string, unknown> = { authKeyId: k.authKeyId, createDateTime: k.createDateTime };
  if (k.lastUsedDateTime !== null) json.lastUsedDateTime = k.lastUsedDateTime;
  return json;
}
