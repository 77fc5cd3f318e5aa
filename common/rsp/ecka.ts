/**
 * Elliptic curve key agreement for the bound profile package (SGP.22 §2.6.4.1, ECKA-DH of BSI
 * TR-03111 §4.3.1): one-time key pairs on P-256, public keys as uncompressed points (`04 ‖ X ‖ Y`,
 * the `5F49` otPK values), and the shared secret as the X coordinate of the product.
 */
import { createECDH } from 'node:crypto';

export interface OneTimeKeyPair {
  /** otPK: uncompressed point, 65 bytes. */
  readonly publicKey: Uint8Array;
  /** otSK: the private scalar, 32 bytes. Kept by its owner only for the session. */
  readonly privateKey: Uint8Array;
}

export function generateOneTimeKeyPair(): OneTimeKeyPair {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { publicKey: new Uint8Array(ecdh.getPublicKey()), privateKey: new Uint8Array(ecdh.getPrivateKey()) };
}

/** ShS = x-coordinate of otSK × otPK(other side); throws RangeError on a point not on the curve. */
export function ecka(privateKey: Uint8Array, otherPublicKey: Uint8Array): Uint8Array {
  if (otherPublicKey.length !== 65 || otherPublicKey[0] !== 0x04) throw new RangeError('otPK must be an uncompressed P-256 point (65 bytes, 04 …)');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  try {
    return new Uint8Array(ecdh.computeSecret(otherPublicKey));
  } catch (e) {
    throw new RangeError(`otPK is not a point of P-256: ${(e as Error).message}`);
  }
}
