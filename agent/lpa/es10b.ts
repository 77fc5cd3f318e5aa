/**
 * ES10a / ES10b functions of a profile download and card configuration (SGP.22 §5.7.3–§5.7.7,
 * §5.7.13, §5.7.14, §5.7.19, §5.7.20) on an open ISD-R session. Requests are built from the parts
 * the SM-DP+ signed, byte for byte; responses are returned raw where the SM-DP+ needs them raw.
 */
import { BerTlvError, decodeBitString, decodeInteger, decodeUtf8, encodeBitString, encodeUtf8, toHex } from '../../common/ber-tlv.js';
import { rawChild, rawChildren, readOnly, requireRawChild, wrap } from '../../common/rsp/der.js';
import { RspTag, segmentBoundProfilePackage, decodeProfileInstallationResult, type ProfileInstallationResult } from '../../common/rsp/messages.js';
import { LpaError } from './errors.js';

/** Sends one ES10 request on the session's channel (STORE DATA, GET RESPONSE). */
export type Es10Exchange = (request: Uint8Array) => Promise<Uint8Array>;

const wrapError = <T>(what: string, fn: () => T): T => {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BerTlvError) throw new LpaError('LPA_BAD_RESPONSE', `${what}: ${e.message}`, { cause: e });
    throw e;
  }
};

export async function getEuiccChallenge(exchange: Es10Exchange): Promise<Uint8Array> {
  const raw = await exchange(wrap(RspTag.GetEuiccChallenge));
  return wrapError('GetEuiccChallengeResponse', () => {
    const c = requireRawChild(readOnly(raw, RspTag.GetEuiccChallenge), 0x80).value;
    if (c.length !== 16) throw new BerTlvError('bad-value', 'euiccChallenge must be 16 bytes');
    return Uint8Array.from(c);
  });
}

/** EUICCInfo1 exactly as the card encoded it (it goes to the SM-DP+ as is). */
export async function getEuiccInfo1Raw(exchange: Es10Exchange): Promise<Uint8Array> {
  const raw = await exchange(wrap(RspTag.EuiccInfo1));
  wrapError('EUICCInfo1', () => readOnly(raw, RspTag.EuiccInfo1));
  return raw;
}

/** The result of loading a BPP: the card's ProfileInstallationResult (signed), as delivered and decoded. */
export interface LoadResult {
  raw: Uint8Array;
  result: ProfileInstallationResult;
}

/**
 * ES10b.LoadBoundProfilePackage: the BPP in the segments of SGP.22 §2.5.5, one STORE DATA
 * sequence each. A segment answered with data carries the ProfileInstallationResult — after the
 * last one, or at once when the card failed; a card that ends without one is a bad response.
 */
export async function loadBoundProfilePackage(exchange: Es10Exchange, bpp: Uint8Array, onSegment?: (index: number, total: number) => void): Promise<LoadResult> {
  const segments = wrapError('BoundProfilePackage', () => segmentBoundProfilePackage(bpp));
  for (const [i, segment] of segments.entries()) {
    onSegment?.(i, segments.length);
    const response = await exchange(segment);
    if (response.length > 0) {
      const result = wrapError('ProfileInstallationResult', () => decodeProfileInstallationResult(readOnly(response)));
      if (i < segments.length - 1 && result.result.ok) throw new LpaError('LPA_BAD_RESPONSE', `the card reported success after segment ${i + 1} of ${segments.length}`);
      return { raw: response, result };
    }
  }
  throw new LpaError('LPA_BAD_RESPONSE', 'the card answered the last BPP segment without a ProfileInstallationResult');
}

/** ES10a.GetEuiccConfiguredAddresses (§5.7.3). */
export async function getConfiguredAddresses(exchange: Es10Exchange): Promise<{ defaultDpAddress?: string; rootDsAddress?: string }> {
  const raw = await exchange(wrap(RspTag.EuiccConfiguredAddresses));
  return wrapError('EuiccConfiguredAddressesResponse', () => {
    const t = readOnly(raw, RspTag.EuiccConfiguredAddresses);
    const dp = rawChild(t, 0x80);
    const ds = rawChild(t, 0x81);
    return { ...(dp ? { defaultDpAddress: decodeUtf8(dp.value) } : {}), ...(ds ? { rootDsAddress: decodeUtf8(ds.value) } : {}) };
  });
}

const resultOf = (raw: Uint8Array, tag: number, what: string): number => wrapError(what, () => decodeInteger(requireRawChild(readOnly(raw, tag), 0x80).value));

/** ES10a.SetDefaultDpAddress (§5.7.4): 0 ok, 127 undefinedError. An empty address clears it. */
export async function setDefaultDpAddress(exchange: Es10Exchange, address: string): Promise<number> {
  return resultOf(await exchange(wrap(RspTag.SetDefaultDpAddress, wrap(0x80, encodeUtf8(address)))), RspTag.SetDefaultDpAddress, 'SetDefaultDpAddressResponse');
}

export interface RatRule {
  /** pprIds: 1 = PPR1 (disable not allowed), 2 = PPR2 (delete not allowed). */
  pprIds: number[];
  /** mccMnc of each allowed operator, hex (`EEEEEE` = any). */
  allowedOperators: string[];
  consentRequired: boolean;
}

/** ES10b.GetRAT (§5.7.20): the Rules Authorisation Table. */
export async function getRat(exchange: Es10Exchange): Promise<RatRule[]> {
  const raw = await exchange(wrap(RspTag.GetRat));
  return wrapError('GetRatResponse', () =>
    rawChildren(requireRawChild(readOnly(raw, RspTag.GetRat), 0xa0).value).map((rule) => ({
      pprIds: decodeBitString(requireRawChild(rule, 0x80).value),
      allowedOperators: rawChildren(requireRawChild(rule, 0xa1).value).map((op) => toHex(requireRawChild(op, 0x80).value)),
      consentRequired: decodeBitString(requireRawChild(rule, 0x82).value).includes(0),
    })),
  );
}

export type MemoryResetOption = 'operational' | 'test' | 'default-smdp';
const RESET_BITS: Record<MemoryResetOption, number> = { operational: 0, test: 1, 'default-smdp': 2 };

/** ES10c.eUICCMemoryReset (§5.7.19): 0 ok, 1 nothingToDelete, 5 catBusy, 127 undefinedError. */
export async function memoryReset(exchange: Es10Exchange, options: readonly MemoryResetOption[]): Promise<number> {
  const bits = encodeBitString(options.map((o) => RESET_BITS[o]), 3);
  return resultOf(await exchange(wrap(RspTag.EuiccMemoryReset, wrap(0x82, bits))), RspTag.EuiccMemoryReset, 'EuiccMemoryResetResponse');
}
