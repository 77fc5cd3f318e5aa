/**
 * Transfer tokens: 256 bits from the caller's CSPRNG (SPEC §1.1 asks for at least 128), shown in
 * the real service's shape — two UUID-like groups joined by a hyphen (seed 000 example
 * `abcdef00-1111-2222-3333-444444444444-abcdef00-5555-6666-7777-888888888888`).
 */

/** Random bytes from a CSPRNG, e.g. `(n) => crypto.randomBytes(n)` in the app layer. */
export type RandomBytes = (length: number) => Uint8Array;

export const TRANSFER_TOKEN_BYTES = 32;

const TOKEN_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newTransferToken(randomBytes: RandomBytes): string {
  const bytes = randomBytes(TRANSFER_TOKEN_BYTES);
  if (bytes.length < TRANSFER_TOKEN_BYTES) throw new Error(`randomBytes returned ${bytes.length} bytes, needed ${TRANSFER_TOKEN_BYTES}`);
  const hex = Array.from(bytes.subarray(0, TRANSFER_TOKEN_BYTES), (b) => b.toString(16).padStart(2, '0')).join('');
  const uuidLike = (h: string): string => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return `${uuidLike(hex.slice(0, 32))}-${uuidLike(hex.slice(32, 64))}`;
}

/** True when `s` has the shape of a token this module issues (cheap pre-check before a lookup). */
export const isTransferTokenShape = (s: unknown): s is string => typeof s === 'string' && TOKEN_SHAPE.test(s);
