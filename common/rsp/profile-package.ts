/**
 * The unprotected profile package (UPP) inside a BPP's `86` segments: a sequence of profile
 * elements of the TCA / SIMalliance eUICC Profile Package (PEDefinitions v3, AUTOMATIC TAGS).
 *
 * Simplified on purpose — cellgate's network side authenticates nobody, so a profile needs only
 * what the card shows the modem: the header (version, profile type, ICCID, mandatory services),
 * a USIM element from the default ADF.USIM template (2.23.143.1.2.4) carrying EF.IMSI and EF.SPN
 * content with the template's other mandatory files left at their defaults (empty `File`
 * sequences), the AKA parameters (Milenage K and OPc, kept by the card but not used), and the end
 * element. No MF, PIN/PUK, security domain or applet elements. docs/smdp.md says why.
 */
import { BerTlvError, decodeInteger, decodeUtf8, encodeInteger, encodeUtf8 } from '../ber-tlv.js';
import { decodeIccid, encodeIccid } from '../es10.js';
import { concat, decodeOid, encodeOid, rawChild, rawChildren, requireRawChild, wrap } from './der.js';

/** ProfileElement CHOICE tags (PEDefinitions §ProfileElement, automatic tags). */
export const PeTag = { header: 0xa0, akaParameter: 0xa4, end: 0xaa, usim: 0xb3 } as const;
export const USIM_TEMPLATE_OID = '2.23.143.1.2.4';

export interface ProfilePackageData {
  iccid: string;
  imsi: string;
  /** Operator name shown by the handset (EF.SPN), ≤ 16 characters. */
  spn: string;
  profileType: string;
  /** Subscriber key and OPc (16 bytes each). */
  ki: Uint8Array;
  opc: Uint8Array;
}

/** The package cannot be installed (installFailedDueToPEProcessingError). */
export class ProfilePackageError extends Error {
  override readonly name = 'ProfilePackageError';
}

/** EF.IMSI (3GPP TS 31.102 §4.2.2): length byte, then BCD digits with the parity nibble first. */
export function encodeEfImsi(imsi: string): Uint8Array {
  if (!/^\d{6,15}$/.test(imsi)) throw new BerTlvError('bad-value', `IMSI must be 6..15 digits: ${imsi}`);
  const nibbles = [imsi.length % 2 === 1 ? 9 : 1, ...[...imsi].map(Number)];
  if (nibbles.length % 2) nibbles.push(0xf);
  const bytes = [];
  for (let i = 0; i < nibbles.length; i += 2) bytes.push((nibbles[i + 1]! << 4) | nibbles[i]!);
  const out = new Uint8Array(9).fill(0xff);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

export function decodeEfImsi(ef: Uint8Array): string {
  const len = ef[0] ?? 0;
  if (len < 1 || len > 8 || ef.length < len + 1) throw new ProfilePackageError('EF.IMSI length byte out of range');
  const nibbles: number[] = [];
  for (const b of ef.subarray(1, 1 + len)) nibbles.push(b & 0x0f, b >> 4);
  const parity = nibbles.shift();
  const digits = nibbles.filter((n, i) => !(n === 0xf && i === nibbles.length - 1));
  if ((parity !== 9 && parity !== 1) || digits.some((d) => d > 9) || (parity === 9) !== (digits.length % 2 === 1)) throw new ProfilePackageError('EF.IMSI is not BCD digits');
  return digits.join('');
}

/** EF.SPN (TS 31.102 §4.2.12): display condition, then the name in 16 bytes padded with FF. */
function encodeEfSpn(spn: string): Uint8Array {
  const name = encodeUtf8(spn);
  if (name.length > 16 || /[^\x20-\x7e]/.test(spn)) throw new BerTlvError('bad-value', 'SPN: at most 16 printable ASCII characters');
  const out = new Uint8Array(17).fill(0xff);
  out[0] = 0x00;
  out.set(name, 1);
  return out;
}

function decodeEfSpn(ef: Uint8Array): string {
  const body = ef.subarray(1);
  const end = body.indexOf(0xff);
  return decodeUtf8(end < 0 ? body : body.subarray(0, end));
}

const peHeader = (id: number): Uint8Array => wrap(0xa0, wrap(0x81, encodeInteger(id)));
/** A `File` with one fillFileContent. */
const fileWith = (tag: number, content: Uint8Array): Uint8Array => wrap(tag, wrap(0x83, content));
const emptyFile = (tag: number): Uint8Array => wrap(tag);

export function encodeProfilePackage(d: ProfilePackageData): Uint8Array {
  if (d.ki.length !== 16 || d.opc.length !== 16) throw new BerTlvError('bad-value', 'K and OPc are 16 bytes');
  const header = wrap(
    PeTag.header,
    wrap(0x80, encodeInteger(2)),
    wrap(0x81, encodeInteger(3)),
    wrap(0x82, encodeUtf8(d.profileType)),
    wrap(0x83, encodeIccid(d.iccid)),
    // eUICC-Mandatory-services: usim [1], milenage [4].
    wrap(0xa5, wrap(0x81), wrap(0x84)),
    wrap(0xa6),
  );
  const usim = wrap(
    PeTag.usim,
    peHeader(1),
    wrap(0x81, encodeOid(USIM_TEMPLATE_OID)),
    emptyFile(0xa2),
    fileWith(0xa3, encodeEfImsi(d.imsi)),
    emptyFile(0xa4),
    emptyFile(0xa8),
    fileWith(0xad, encodeEfSpn(d.spn)),
    emptyFile(0xae),
    emptyFile(0xb2),
    emptyFile(0xb6),
  );
  const aka = wrap(PeTag.akaParameter, peHeader(2), wrap(0xa1, wrap(0xa1, wrap(0x80, encodeInteger(1)), wrap(0x81, Uint8Array.of(0x00)), wrap(0x82, d.ki), wrap(0x83, d.opc))));
  const end = wrap(PeTag.end, peHeader(3));
  return concat(header, usim, aka, end);
}

/** Reads the package back; anything missing or malformed is a `ProfilePackageError`. */
export function decodeProfilePackage(upp: Uint8Array): ProfilePackageData {
  try {
    const pes = rawChildren(upp);
    if (pes[0]?.tag !== PeTag.header) throw new ProfilePackageError('the first profile element must be the header');
    if (pes.at(-1)?.tag !== PeTag.end) throw new ProfilePackageError('the last profile element must be the end element');
    const header = pes[0];
    const major = decodeInteger(requireRawChild(header, 0x80).value);
    if (major < 2 || major > 3) throw new ProfilePackageError(`profile package major version ${major} not supported`);
    const type = rawChild(header, 0x82);
    const usim = pes.find((p) => p.tag === PeTag.usim);
    if (!usim) throw new ProfilePackageError('no USIM profile element');
    if (decodeOid(requireRawChild(usim, 0x81).value) !== USIM_TEMPLATE_OID) throw new ProfilePackageError('unknown USIM template');
    const content = (file: number): Uint8Array | undefined => {
      const f = rawChild(usim, file);
      return f ? rawChild(f, 0x83)?.value : undefined;
    };
    const imsiEf = content(0xa3);
    if (!imsiEf) throw new ProfilePackageError('EF.IMSI has no content');
    const spnEf = content(0xad);
    const aka = pes.find((p) => p.tag === PeTag.akaParameter);
    if (!aka) throw new ProfilePackageError('no AKA parameters');
    const algo = rawChildren(requireRawChild(aka, 0xa1).value)[0];
    if (algo?.tag !== 0xa1) throw new ProfilePackageError('AKA parameters: algoParameter expected');
    const ki = requireRawChild(algo, 0x82).value;
    const opc = requireRawChild(algo, 0x83).value;
    if (ki.length !== 16 || opc.length !== 16) throw new ProfilePackageError('K and OPc must be 16 bytes');
    return {
      iccid: decodeIccid(requireRawChild(header, 0x83).value),
      imsi: decodeEfImsi(imsiEf),
      spn: spnEf ? decodeEfSpn(spnEf) : '',
      profileType: type ? decodeUtf8(type.value) : '',
      ki: Uint8Array.from(ki),
      opc: Uint8Array.from(opc),
    };
  } catch (e) {
    if (e instanceof ProfilePackageError) throw e;
    if (e instanceof BerTlvError) throw new ProfilePackageError(`malformed profile package: ${e.message}`);
    throw e;
  }
}


