import { PlatformError, domainError, unwrap } from '../domain/errors.js';
import { isCoverageType, operatorIdFromDigits, type CoverageType } from '../domain/ids.js';
import { checkPassword, newOperator, newSamUser, setPermission, type AuthKey, type Operator, type SamUser } from '../domain/operator.js';
import type { StoreTx } from '../store/port.js';
import { useCase, type AppContext } from './context.js';
import { newUuid, randomDigits, randomToken } from './ids.js';
import { digest, hashPassword } from './secrets.js';

/** Document kinds of accounts in the store. */
export const ACCOUNT_KINDS = {
  operator: 'operator',
  operatorEmail: 'operator-email',
  samUser: 'sam-user',
  authKey: 'auth-key',
  apiToken: 'api-token',
} as const;

const userId = (operatorId: string, userName: string): string => `${operatorId}/${userName}`;

export async function loadOperator(tx: StoreTx, operatorId: string): Promise<Operator> {
  const op = await tx.get<Operator>(ACCOUNT_KINDS.operator, operatorId);
  if (!op) throw new PlatformError(domainError('OPM0001'));
  return op;
}

export async function loadUser(tx: StoreTx, operatorId: string, userName: string): Promise<SamUser> {
  const user = await tx.get<SamUser>(ACCOUNT_KINDS.samUser, userId(operatorId, userName));
  if (!user) throw new PlatformError(domainError('USM0001'));
  return user;
}

/** Creates an operator with a root user (sandbox `init`); coverage types default to `g` and `jp`. */
export async function createOperator(
  ctx: AppContext,
  input: { email: string; password: string; coverageTypes?: string[]; registerPaymentMethod?: boolean },
): Promise<Operator> {
  unwrap(checkPassword(input.password));
  const coverageTypes = input.coverageTypes ?? ['g', 'jp'];
  if (!coverageTypes.every(isCoverageType)) throw new PlatformError(domainError('OPM0005'));
  const passwordHash = await hashPassword(input.password, ctx.random);
  return useCase(ctx, async (tx) => {
    const email = input.email.toLowerCase();
    if (await tx.get(ACCOUNT_KINDS.operatorEmail, email)) throw new PlatformError(domainError('OPM0002'));
    let operatorId: string;
    do operatorId = operatorIdFromDigits(randomDigits(ctx.random, 10));
    while (await tx.get(ACCOUNT_KINDS.operator, operatorId));
    const op = unwrap(newOperator({ operatorId, email, passwordHash, coverageTypes: coverageTypes as CoverageType[], now: ctx.clock.now() }));
    if (input.registerPaymentMethod ?? true) {
      // The sandbox registers a dummy payment method (reference sandboxInitRequest).
      for (const c of coverageTypes as CoverageType[]) op.coverage[c].paymentMethod = { providerType: 'sandbox', properties: {} };
    }
    await tx.put(ACCOUNT_KINDS.operator, operatorId, op, operatorId);
    await tx.put(ACCOUNT_KINDS.operatorEmail, email, { operatorId });
    return op;
  });
}

export async function getOperator(ctx: AppContext, operatorId: string): Promise<Operator> {
  return ctx.store.transaction((tx) => loadOperator(tx, operatorId));
}

/** Finds an operator by its primary email (transfer destinations are named by email + id). */
export async function findOperatorByEmail(tx: StoreTx, email: string): Promise<Operator | null> {
  const ref = await tx.get<{ operatorId: string }>(ACCOUNT_KINDS.operatorEmail, email.toLowerCase());
  return ref ? tx.get<Operator>(ACCOUNT_KINDS.operator, ref.operatorId) : null;
}

/** Replaces an operator record (e.g. the payment part setting `coverage[c].paymentMethod`). */
export async function saveOperator(tx: StoreTx, op: Operator): Promise<void> {
  await tx.put(ACCOUNT_KINDS.operator, op.operatorId, op, op.operatorId);
}

/** Sandbox `deleteOperator`: removes the operator, its users, keys, tokens and subscribers. */
export async function deleteOperator(ctx: AppContext, operatorId: string): Promise<void> {
  await useCase(ctx, async (tx) => {
    const op = await loadOperator(tx, operatorId);
    for (const kind of [ACCOUNT_KINDS.samUser, ACCOUNT_KINDS.authKey, ACCOUNT_KINDS.apiToken, 'subscriber']) {
      const docs = await tx.list<Record<string, string>>(kind, { partition: operatorId });
      for (const d of docs) {
        const id = kind === ACCOUNT_KINDS.samUser ? userId(operatorId, d.userName!) : (d.authKeyId ?? d.apiKey ?? d.imsi)!;
        await tx.delete(kind, id);
      }
    }
    await tx.delete(ACCOUNT_KINDS.operatorEmail, op.email);
    await tx.delete(ACCOUNT_KINDS.operator, operatorId);
  });
  ctx.tokens.forgetOperator(operatorId);
}

export async function createUser(ctx: AppContext, operatorId: string, userName: string, description?: string): Promise<SamUser> {
  return useCase(ctx, async (tx) => {
    await loadOperator(tx, operatorId);
    if (await tx.get(ACCOUNT_KINDS.samUser, userId(operatorId, userName))) throw new PlatformError(domainError('USM0002'));
    const user = unwrap(newSamUser({ operatorId, userName, description, now: ctx.clock.now() }));
    await tx.put(ACCOUNT_KINDS.samUser, userId(operatorId, userName), user, operatorId);
    return user;
  });
}

export async function getUser(ctx: AppContext, operatorId: string, userName: string): Promise<{ user: SamUser; authKeys: AuthKey[] }> {
  return ctx.store.transaction(async (tx) => {
    const user = await loadUser(tx, operatorId, userName);
    const keys = (await tx.list<AuthKey>(ACCOUNT_KINDS.authKey, { partition: operatorId })).filter((k) => k.userName === userName);
    return { user, authKeys: keys };
  });
}

export async function listUsers(ctx: AppContext, operatorId: string): Promise<SamUser[]> {
  return ctx.store.transaction((tx) => tx.list<SamUser>(ACCOUNT_KINDS.samUser, { partition: operatorId }));
}

export async function deleteUser(ctx: AppContext, operatorId: string, userName: string): Promise<void> {
  await useCase(ctx, async (tx) => {
    await loadUser(tx, operatorId, userName);
    await tx.delete(ACCOUNT_KINDS.samUser, userId(operatorId, userName));
    for (const k of await tx.list<AuthKey>(ACCOUNT_KINDS.authKey, { partition: operatorId })) {
      if (k.userName === userName) await tx.delete(ACCOUNT_KINDS.authKey, k.authKeyId);
    }
    await revokeTokens(tx, operatorId, userName);
  });
  ctx.tokens.forgetOperator(operatorId);
}

async function revokeTokens(tx: StoreTx, operatorId: string, userName: string | null): Promise<void> {
  for (const t of await tx.list<{ apiKey: string; userName: string | null }>(ACCOUNT_KINDS.apiToken, { partition: operatorId })) {
    if (t.userName === userName) await tx.delete(ACCOUNT_KINDS.apiToken, t.apiKey);
  }
}

/** createUserPassword / updateUserPassword. */
export async function setUserPassword(ctx: AppContext, operatorId: string, userName: string, password: string): Promise<void> {
  unwrap(checkPassword(password));
  const passwordHash = await hashPassword(password, ctx.random);
  await useCase(ctx, async (tx) => {
    const user = await loadUser(tx, operatorId, userName);
    await tx.put(ACCOUNT_KINDS.samUser, userId(operatorId, userName), { ...user, passwordHash, updateDateTime: Math.floor(ctx.clock.now() / 1000) }, operatorId);
  });
}

/** updateUserPermission: `permission` is the JSON string of a permission document. */
export async function setUserPermission(ctx: AppContext, operatorId: string, userName: string, permission: string): Promise<SamUser> {
  const updated = await useCase(ctx, async (tx) => {
    const user = unwrap(setPermission(await loadUser(tx, operatorId, userName), permission, ctx.clock.now()));
    await tx.put(ACCOUNT_KINDS.samUser, userId(operatorId, userName), user, operatorId);
    return user;
  });
  ctx.tokens.forgetOperator(operatorId);
  return updated;
}

/** generateOperatorAuthKey (userName null) / generateUserAuthKey. The secret is shown once. */
export async function generateAuthKey(ctx: AppContext, operatorId: string, userName: string | null): Promise<{ authKeyId: string; authKey: string }> {
  return useCase(ctx, async (tx) => {
    await loadOperator(tx, operatorId);
    if (userName !== null) await loadUser(tx, operatorId, userName);
    const authKeyId = `keyId-${newUuid(ctx.random)}`;
    const authKey = `secret-${randomToken(ctx.random, 48)}`;
    const key: AuthKey = { authKeyId, secretHash: digest(authKey), operatorId, userName, createDateTime: Math.floor(ctx.clock.now() / 1000), lastUsedDateTime: null };
    await tx.put(ACCOUNT_KINDS.authKey, authKeyId, key, operatorId);
    return { authKeyId, authKey };
  });
}

export async function listAuthKeys(ctx: AppContext, operatorId: string, userName: string | null): Promise<AuthKey[]> {
  return ctx.store.transaction(async (tx) => (await tx.list<AuthKey>(ACCOUNT_KINDS.authKey, { partition: operatorId })).filter((k) => k.userName === userName));
}

export async function deleteAuthKey(ctx: AppContext, operatorId: string, userName: string | null, authKeyId: string): Promise<void> {
  await useCase(ctx, async (tx) => {
    const key = await tx.get<AuthKey>(ACCOUNT_KINDS.authKey, authKeyId);
    if (!key || key.operatorId !== operatorId || key.userName !== userName) throw new PlatformError(domainError('USM0005'));
    await tx.delete(ACCOUNT_KINDS.authKey, authKeyId);
  });
}
