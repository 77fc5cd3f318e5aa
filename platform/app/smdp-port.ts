import type { StoreTx } from '../store/port.js';

/**
 * The SM-DP+ as the rest of the platform sees it: a verifier of signed eUICC notifications (the
 * MQTT path hands it the `pendingNotification` a gateway read from its card). Set on the context
 * by `startPlatform` when the SM-DP+ runs; absent, notifications are taken as the device reports them.
 */
export interface SmdpPort {
  /**
   * Whether the SM-DP+ delivered the profile this notification is about (or ran the download whose
   * result it is), so it must be signed and verified.
   */
  owns(iccid: string | undefined, pendingNotification: Uint8Array): Promise<boolean>;
  /** Verifies a signed PendingNotification and applies it (the outcome of `applyEsimNotification`). */
  handlePendingNotification(bytes: Uint8Array): Promise<
    | { outcome: 'applied' | 'duplicate'; duplicate: boolean }
    | { outcome: 'refused'; duplicate: false; error: { code: string; message: string } }
  >;
  /** Binds a profile to an EID (null: unbinds) and registers / deletes its SM-DS event. */
  bindEid(operatorId: string, iccid: string, eid: string | null): Promise<EidBinding>;
  eidBinding(operatorId: string, iccid: string): Promise<EidBinding>;
  /**
   * Issues CERT.EUM.ECDSA for `publicKeyPem` (SPKI, P-256) with the platform's test CI, so a card
   * factory elsewhere (a fleet shard) can sign eUICC certificates this SM-DP+ accepts. Throws
   * `CGW0007` when the platform holds no CI key, `CGW0008` for a key that is not P-256.
   */
  issueEumCertificate(publicKeyPem: string): IssuedEum;
}

/** An EUM certificate issued to a caller, with what its cards must trust (PEM). */
export interface IssuedEum {
  eumCertificate: string;
  ciCertificate: string;
  /** The SM-DP+ address of the activation codes (the host:port the cards' LPA must reach). */
  smdpAddress: string;
}

/** A profile's download state at the SM-DP+. */
export type DownloadState = 'available' | 'in-session' | 'bound' | 'installed' | 'locked';

/** A profile's EID binding as the operator sees it (`/_cellgate/esim/profiles/{iccid}/eid`). */
export interface EidBinding {
  iccid: string;
  eid: string | null;
  /** The SM-DS event (absent once the profile is installed, or without an SM-DS). */
  eventId?: string;
  smdsAddress?: string;
  /** The SM-DP+'s download state of the profile. */
  state: DownloadState;
}

/**
 * ES12 (SM-DP+ → SM-DS, SGP.22 §5.9): event registration. The platform's SM-DP+ and SM-DS share
 * the store, so [choice] ES12 is a call inside the SM-DP+'s own transaction (the binding and its
 * event commit together) rather than an HTTPS request between two processes.
 */
export interface SmdsEs12Port {
  /** The SM-DS address the LPA discovers events at. */
  readonly address: string;
  /** ES12.RegisterEvent (§5.9.1): an event for `eid` pointing at `rspServerAddress`. */
  registerEvent(tx: StoreTx, event: { eventId: string; eid: string; rspServerAddress: string }): Promise<void>;
  /** ES12.DeleteEvent (§5.9.2): true when it existed. */
  deleteEvent(tx: StoreTx, eventId: string): Promise<boolean>;
}
