import { PlatformError, domainError } from '../domain/errors.js';
import type { AuthKey, Operator, SamUser } from '../domain/operator.js';
import { parsePermission, type PermissionDocument } from '../domain/permissions.js';
import { ACCOUNT_KINDS, findOperatorByEmail } from './accounts.js';
import { useCase, type AppContext } from './context.js';
import { newApiKey, randomToken } from './ids.js';
import { digest, sameDigest, verifyPassword } from './secrets.js';
import { readOnly } from '../store/port.js';

/** Who is calling: the root user (`userName` null) or a SAM user of `operatorId`. */
export interface Principal {
  operatorId: string;
  userName: string | null;
  apiKey: string;
  /** The SAM user's parsed permission (null for root, or a SAM user without one). */
  permission: PermissionDocument | null;
}

/** Body of `POST /v1/auth` (reference `AuthRequest`). */
export interface AuthRequest {
  email?: string;
  password?: string;
  authKeyId?: string;
  authKey?: string;
  operatorId?: string;
  userName?: string;
  tokenTimeoutSeconds?: number;
}

export interface AuthResponse {
  apiKey: string;
  token: string;
  operatorId: string;
  userName?: string;
}

interface StoredToken {
  apiKey: string;
  tokenHash: string;
  operatorId: string;
  userName: string | null;
  expiresAt: number;
}

const MIN_TOKEN_TIMEOUT_SECONDS = 180;
const failed = (): PlatformError => new PlatformError(domainError('AUM0004'));

/** `POST /v1/auth`: root (email + password), auth key, or SAM user; returns an API key + token. */
export async function authenticate(ctx: AppContext, req: AuthRequest): Promise<AuthResponse> {
  const timeout = req.tokenTimeoutSeconds ?? ctx.config.defaultTokenTimeoutSeconds;
  if (!Number.isInteger(timeout) || timeout < MIN_TOKEN_TIMEOUT_SECONDS || timeout > ctx.config.maxTokenTimeoutSeconds) {
    throw new PlatformError(domainError('AUM0007'));
  }
  let who: { operatorId: string; userName: string | null };
  if (req.authKeyId !== undefined || req.authKey !== undefined) {
    if (!req.authKeyId || !req.authKey) throw failed();
    const key = await ctx.store.transaction((tx) => tx.get<AuthKey>(ACCOUNT_KINDS.authKey, req.authKeyId!));
    if (!key || !sameDigest(req.authKey, key.secretHash)) throw failed();
    who = { operatorId: key.operatorId, userName: key.userName };
    await ctx.store.transaction((tx) => tx.put(ACCOUNT_KINDS.authKey, key.authKeyId, { ...key, lastUsedDateTime: Math.floor(ctx.clock.now() / 1000) }, key.operatorId));
  } else if (req.userName !== undefined || req.operatorId !== undefined) {
    if (!req.userName || !req.operatorId || !req.password) throw failed();
    const user = await ctx.store.transaction((tx) => tx.get<SamUser>(ACCOUNT_KINDS.samUser, `${req.operatorId}/${req.userName}`));
    if (!(await verifyPassword(req.password, user?.passwordHash ?? null))) throw failed();
    who = { operatorId: req.operatorId, userName: req.userName };
  } else {
    if (!req.email || !req.password) throw failed();
    const op: Operator | null = await ctx.store.transaction((tx) => findOperatorByEmail(tx, req.email!));
    if (!(await verifyPassword(req.password, op?.passwordHash ?? null))) throw failed();
    who = { operatorId: op!.operatorId, userName: null };
  }
  return issueToken(ctx, who.operatorId, who.userName, timeout);
}

/** Issues an API key + token for an already verified identity (also used by sandbox init). */
export async function issueToken(ctx: AppContext, operatorId: string, userName: string | null, timeoutSeconds?: number): Promise<AuthResponse> {
  const apiKey = newApiKey(ctx.random);
  const token = randomToken(ctx.random, 32);
  const stored: StoredToken = {
    apiKey,
    tokenHash: digest(token),
    operatorId,
    userName,
    expiresAt: ctx.clock.now() + (timeoutSeconds ?? ctx.config.defaultTokenTimeoutSeconds) * 1000,
  };
  await useCase(ctx, (tx) => tx.put(ACCOUNT_KINDS.apiToken, apiKey, stored, operatorId));
  return userName === null ? { apiKey, token, operatorId } : { apiKey, token, operatorId, userName };
}

/**
 * Checks the `X-Soracom-API-Key` / `X-Soracom-Token` pair; throws AUM0001/2/3 when not valid.
 * Reads a snapshot without the write lock, and remembers the verified token briefly
 * (`TokenCache`: expiry and the token itself are checked on every hit).
 */
export async function verifyToken(ctx: AppContext, apiKey: string | undefined, token: string | undefined): Promise<Principal> {
  const hit = verifyCachedToken(ctx, apiKey, token);
  if (hit) return hit;
  return verifyStoredToken(ctx, apiKey!, token!);
}

/**
 * The synchronous part of `verifyToken`: the caller if its token was verified recently
 * (`TokenCache`; the presented token and its expiry are still checked now), `undefined` when the
 * store must be asked (`verifyToken`). Throws AUM0001 / AUM0002 like `verifyToken`. Lets the HTTP
 * hook authenticate most requests without a promise.
 */
export function verifyCachedToken(ctx: AppContext, apiKey: string | undefined, token: string | undefined): Principal | undefined {
  if (!apiKey || !token) throw new PlatformError(domainError('AUM0001'));
  const now = ctx.clock.now();
  const cached = ctx.tokens.get(apiKey, now);
  if (cached) {
    if (!sameDigest(token, cached.tokenHash)) throw new PlatformError(domainError('AUM0002'));
    if (now < cached.expiresAt) return cached.principal as Principal;
  }
  return undefined;
}

async function verifyStoredToken(ctx: AppContext, apiKey: string, token: string): Promise<Principal> {
  const now = ctx.clock.now();
  type Outcome = { error: 'AUM0002' | 'AUM0003' } | { principal: Principal; stored: StoredToken };
  const result = await readOnly(ctx.store, async (tx): Promise<Outcome> => {
    const stored = await tx.get<StoredToken>(ACCOUNT_KINDS.apiToken, apiKey);
    if (!stored || !sameDigest(token, stored.tokenHash)) return { error: 'AUM0002' as const };
    if (ctx.clock.now() >= stored.expiresAt) return { error: 'AUM0003' as const };
    if (!(await tx.get(ACCOUNT_KINDS.operator, stored.operatorId))) return { error: 'AUM0002' as const };
    let permission: PermissionDocument | null = null;
    if (stored.userName !== null) {
      const user = await tx.get<SamUser>(ACCOUNT_KINDS.samUser, `${stored.operatorId}/${stored.userName}`);
      if (!user) return { error: 'AUM0002' as const };
      const parsed = user.permission ? parsePermission(user.permission) : null;
      permission = parsed?.ok ? parsed.value : null;
    }
    return { principal: { operatorId: stored.operatorId, userName: stored.userName, apiKey, permission }, stored };
  });
  if ('principal' in result) {
    ctx.tokens.set(apiKey, { tokenHash: result.stored.tokenHash, expiresAt: result.stored.expiresAt, principal: result.principal, verifiedAt: now });
    return result.principal;
  }
  ctx.tokens.forgetApiKey(apiKey);
  if (result.error === 'AUM0003') {
    // An expired token is deleted (a write, outside the read snapshot).
    await ctx.store.transaction(async (tx) => {
      const stored = await tx.get<StoredToken>(ACCOUNT_KINDS.apiToken, apiKey);
      if (stored && ctx.clock.now() >= stored.expiresAt) await tx.delete(ACCOUNT_KINDS.apiToken, apiKey);
    });
  }
  throw new PlatformError(domainError(result.error));
}

/** `POST /v1/auth/logout`: revokes this API key and token. */
export async function logout(ctx: AppContext, apiKey: string): Promise<void> {
  await useCase(ctx, async (tx) => {
    await tx.delete(ACCOUNT_KINDS.apiToken, apiKey);
  });
  ctx.tokens.forgetApiKey(apiKey);
}
