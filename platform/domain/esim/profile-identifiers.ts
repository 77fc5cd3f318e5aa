/**
 * Identifiers of a provisioned eSIM profile: ICCID with its Luhn check digit (ITU-T E.118),
 * SGP.22 matching ID and the activation code `LPA:1$<SM-DP+ address>$<matching ID>` (SGP.22
 * §4.1 "Activation Code"; seed 002 / SPEC §1.5).
 */

/** Luhn check digit for a string of decimal digits. */
export function luhnCheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new Error(`luhnCheckDigit needs decimal digits, got "${digits}"`);
  let sum = 0;
  // Double every second digit counting from the right of the payload (the check digit goes after it).
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let v = digits.charCodeAt(i) - 48;
    if (double) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return (10 - (sum % 10)) % 10;
}

/** 19 payload digits (`89` + country + issuer + serial) → the 20-digit ICCID. */
export function iccidFromPayload(payload: string): string {
  if (!/^89\d{17}$/.test(payload)) throw new Error(`An ICCID payload is 19 digits starting with 89, got "${payload}"`);
  return `${payload}${luhnCheckDigit(payload)}`;
}

/** A 20-digit ICCID whose last digit is its Luhn check digit. */
export function isValidIccid(iccid: string): boolean {
  return /^89\d{18}$/.test(iccid) && luhnCheckDigit(iccid.slice(0, -1)) === Number(iccid.slice(-1));
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * [choice] A matching ID of 25 random bytes as 40 base32 characters in five hyphen-separated
 * groups of 8 (SGP.22 allows letters, digits and `-`); 200 bits from the caller's CSPRNG.
 */
export function newMatchingId(randomBytes: (length: number) => Uint8Array): string {
  const bytes = randomBytes(25);
  if (bytes.length < 25) throw new Error(`randomBytes returned ${bytes.length} bytes, needed 25`);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes.subarray(0, 25)) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(/.{8}/g)!.join('-');
}

export const activationCode = (smdpAddress: string, matchingId: string): string => `LPA:1$${smdpAddress}$${matchingId}`;
