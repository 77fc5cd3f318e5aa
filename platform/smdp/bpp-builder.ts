/**
 * Binds a profile to one eUICC (SGP.22 §2.5.3–§2.5.4): one-time ECKA key pair, session keys
 * from the card's otPK, InitialiseSecureChannel signed with the DPpb key, then ConfigureISDP,
 * StoreMetadata and the profile package protected with SCP03t — optionally under profile
 * protection keys carried by ReplaceSessionKeys.
 */
import { randomBytes } from 'node:crypto';
import { BspSession } from '../../common/rsp/bsp.js';
import { concat, wrap } from '../../common/rsp/der.js';
import { signRaw } from '../../common/rsp/ecdsa.js';
import { ecka, generateOneTimeKeyPair } from '../../common/rsp/ecka.js';
import { deriveBspKeys } from '../../common/rsp/kdf.js';
import {
  encodeBoundProfilePackage,
  encodeConfigureIsdp,
  encodeReplaceSessionKeys,
  encodeStoreMetadata,
  initialiseSecureChannelSignedPart,
  RspTag,
  type ProfileMetadata,
} from '../../common/rsp/messages.js';
import { encodeProfilePackage, type ProfilePackageData } from '../../common/rsp/profile-package.js';
import type { CertAndKey } from '../../common/rsp/pki.js';

export interface BindInput {
  transactionId: Uint8Array;
  eid: string;
  euiccOtpk: Uint8Array;
  dpPb: CertAndKey;
  smdpOid: string;
  metadata: ProfileMetadata;
  profile: ProfilePackageData;
  /** Protect the profile elements with fresh PPK keys sent in ReplaceSessionKeys (default false). */
  replaceSessionKeys?: boolean;
}

/** The BPP bytes (`BF36 …`), bound to `euiccOtpk`. */
export function bindProfilePackage(input: BindInput): Uint8Array {
  const ot = generateOneTimeKeyPair();
  const crt = { keyType: 0x88, keyLength: 16, hostId: new Uint8Array(randomBytes(16)) };
  const signedPart = initialiseSecureChannelSignedPart({ transactionId: input.transactionId, crt, smdpOtpk: ot.publicKey });
  const smdpSign = signRaw(input.dpPb.privateKey, signedPart, wrap(RspTag.otpk, input.euiccOtpk));
  const isc = wrap(RspTag.InitialiseSecureChannel, concat(signedPart, wrap(RspTag.signature, smdpSign)));
  const keys = deriveBspKeys(ecka(ot.privateKey, input.euiccOtpk), crt.keyType, crt.keyLength, crt.hostId, Buffer.from(input.eid, 'hex'));
  const bsp = new BspSession(keys);
  const configureIsdp = bsp.encryptAndMacAll(0x87, encodeConfigureIsdp(input.smdpOid));
  const storeMetadata = bsp.macOnlyAll(0x88, encodeStoreMetadata(input.metadata));
  const upp = encodeProfilePackage(input.profile);
  if (!input.replaceSessionKeys) {
    return encodeBoundProfilePackage({ initialiseSecureChannel: isc, configureIsdp, storeMetadata, profileElements: bsp.encryptAndMacAll(0x86, upp) });
  }
  const ppk = { initialMcv: new Uint8Array(randomBytes(16)), ppkEnc: new Uint8Array(randomBytes(16)), ppkCmac: new Uint8Array(randomBytes(16)) };
  const replaceSessionKeys = bsp.encryptAndMacAll(0x87, encodeReplaceSessionKeys(ppk));
  const protectedPackage = new BspSession({ sEnc: ppk.ppkEnc, sMac: ppk.ppkCmac, initialMcv: ppk.initialMcv });
  return encodeBoundProfilePackage({ initialiseSecureChannel: isc, configureIsdp, storeMetadata, replaceSessionKeys, profileElements: protectedPackage.encryptAndMacAll(0x86, upp) });
}
