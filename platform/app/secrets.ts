import { hash, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { RandomSource } from './context.js';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** Password hash `scrypt$<salt b64>$<hash b64>`; passwords are never stored in clear. */
export async function hashPassword(password: string, random: RandomSource): Promise<string> {
  const salt = random.bytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Stands in for a missing account's hash, so an unknown email costs the same scrypt as a known one. */
const NO_ACCOUNT_SALT = Buffer.alloc(16);

/** Checks a password against its stored hash in constant time; an unknown account takes as long. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !salt || !hash) {
    await scrypt(password, NO_ACCOUNT_SALT, 32);
    return false;
  }
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * SHA-256 of a high-entropy secret (API tokens, auth keys): enough since they are random.
 * One-shot `crypto.hash` (Node ≥ 20.12): every authenticated request pays this, and a
 * `createHash` object costs about as much again as the hashing itself.
 */
export function digest(secret: string): string {
  return hash('sha256', secret, 'base64');
}

/** Whether `secret` hashes to `stored` (a `digest`), compared in constant time. */
export function sameDigest(secret: string, stored: string): boolean {
  const a = Buffer.from(digest(secret), 'latin1');
  const b = Buffer.from(stored, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
