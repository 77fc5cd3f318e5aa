import type { RandomSource } from './context.js';

/** Random decimal digits from the injected random source (rejection sampling, no modulo bias). */
export function randomDigits(random: RandomSource, count: number): string {
  let out = '';
  while (out.length < count) {
    for (const b of random.bytes(count)) {
      if (b < 250 && out.length < count) out += String(b % 10);
    }
  }
  return out;
}

export function randomHex(random: RandomSource, bytes: number): string {
  return random.bytes(bytes).toString('hex');
}

/** A token of `bytes` random bytes (≥ 16, i.e. ≥ 128 bits; SPEC §1.1), base64url. */
export function randomToken(random: RandomSource, bytes = 32): string {
  if (bytes < 16) throw new Error('tokens need at least 128 bits');
  return random.bytes(bytes).toString('base64url');
}

/** `api-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, shaped like the reference example. */
export function newApiKey(random: RandomSource): string {
  const h = randomHex(random, 16);
  return `api-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A uuid-v4-shaped id from the random source. */
export function newUuid(random: RandomSource): string {
  const b = random.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
