/**
 * The LPA's ES10 client (SGP.22 ES10b / ES10c): typed profile and notification operations on the
 * eUICC's ISD-R, over any `ApduTransport`. Operations are serialised — STORE DATA sequences of
 * two operations must never interleave on the card.
 */
import { ISD_R_AID, type DeleteResultName, type DisableResultName, type EnableResultName, type NotificationEventName, type NotificationSentResultName, type SetNicknameResultName } from '../../common/es10.js';
import type { ApduTransport } from './apdu-transport.js';
import {
  decodeResponse,
  encodeRequest,
  type Es10Result,
  type EuiccInfo1,
  type EuiccInfo2,
  type NotificationMetadata,
  type PendingNotification,
  type ProfileInfo,
  type ProfileTarget,
} from './es10-codec.js';
import { checkSegmentSize, DEFAULT_SEGMENT_SIZE, exchangeEs10 } from './store-data.js';

export interface LpaClientOptions {
  /** STORE DATA block size, 6..255 bytes (default 120, a common module limit). */
  segmentSize?: number;
  /** Application to open; the ISD-R unless a test says otherwise. */
  isdRAid?: string;
}

/** Enable / disable arguments: the profile and whether the eUICC should REFRESH the terminal. */
export type SwitchTarget = ProfileTarget & {
  /** refreshFlag (SGP.22 §5.7.16): default true, so the modem re-reads the SIM. */
  refresh?: boolean;
};

/** The operations available on one open ISD-R channel. */
export class LpaSession {
  constructor(
    private readonly transport: ApduTransport,
    /** The logical channel the ISD-R is selected on. */
    readonly channel: number,
    private readonly segmentSize: number,
  ) {}

  /** Sends one ES10 request (any BER-TLV, or a BPP segment) and resolves with the response data. */
  readonly exchange = (request: Uint8Array): Promise<Uint8Array> => exchangeEs10(this.transport, this.channel, request, this.segmentSize);

  async listProfiles(): Promise<ProfileInfo[]> {
    return decodeResponse.profileInfoList(await this.exchange(encodeRequest.profileInfoList()));
  }

  async getEid(): Promise<string> {
    return decodeResponse.getEuiccData(await this.exchange(encodeRequest.getEuiccData()));
  }

  async getEuiccInfo1(): Promise<EuiccInfo1> {
    return decodeResponse.euiccInfo1(await this.exchange(encodeRequest.euiccInfo1()));
  }

  async getEuiccInfo2(): Promise<EuiccInfo2> {
    return decodeResponse.euiccInfo2(await this.exchange(encodeRequest.euiccInfo2()));
  }

  async enableProfile(target: SwitchTarget): Promise<Es10Result<EnableResultName>> {
    return decodeResponse.enableProfile(await this.exchange(encodeRequest.enableProfile(target, target.refresh ?? true)));
  }

  async disableProfile(target: SwitchTarget): Promise<Es10Result<DisableResultName>> {
    return decodeResponse.disableProfile(await this.exchange(encodeRequest.disableProfile(target, target.refresh ?? true)));
  }

  async deleteProfile(target: ProfileTarget): Promise<Es10Result<DeleteResultName>> {
    return decodeResponse.deleteProfile(await this.exchange(encodeRequest.deleteProfile(target)));
  }

  async setNickname(iccid: string, nickname: string): Promise<Es10Result<SetNicknameResultName>> {
    return decodeResponse.setNickname(await this.exchange(encodeRequest.setNickname(iccid, nickname)));
  }

  /** Metadata of the pending notifications, optionally only those of some events. */
  async listNotifications(events?: readonly NotificationEventName[]): Promise<NotificationMetadata[]> {
    return decodeResponse.listNotification(await this.exchange(encodeRequest.listNotification(events)));
  }

  /** The signed pending notifications (all, or the one with `seqNumber`; empty when it is gone). */
  async retrieveNotifications(seqNumber?: number): Promise<PendingNotification[]> {
    return decodeResponse.retrieveNotificationsList(await this.exchange(encodeRequest.retrieveNotificationsList(seqNumber)));
  }

  /** NotificationSent: removes a delivered notification. Call only once the platform acknowledged it. */
  async removeNotification(seqNumber: number): Promise<Es10Result<NotificationSentResultName>> {
    return decodeResponse.notificationSent(await this.exchange(encodeRequest.notificationSent(seqNumber)));
  }
}

type SessionMethods = Omit<LpaSession, 'channel' | 'exchange'>;

/**
 * Opens the ISD-R for each operation (or for a batch with `withSession`) and closes it after, so
 * a module reboot or a REFRESH that closed the channel between operations costs nothing.
 */
export class LpaClient implements SessionMethods {
  private readonly segmentSize: number;
  private readonly aid: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly transport: ApduTransport,
    options: LpaClientOptions = {},
  ) {
    this.segmentSize = checkSegmentSize(options.segmentSize ?? DEFAULT_SEGMENT_SIZE);
    this.aid = options.isdRAid ?? ISD_R_AID;
  }

  /** Runs `fn` with one ISD-R channel, queued behind earlier operations. */
  withSession<T>(fn: (session: LpaSession) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const channel = await this.transport.open(this.aid);
      try {
        return await fn(new LpaSession(this.transport, channel, this.segmentSize));
      } finally {
        // After an enable with REFRESH the card has already closed the channel: nothing to do.
        await this.transport.close(channel).catch(() => undefined);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  listProfiles(): Promise<ProfileInfo[]> {
    return this.withSession((s) => s.listProfiles());
  }
  getEid(): Promise<string> {
    return this.withSession((s) => s.getEid());
  }
  getEuiccInfo1(): Promise<EuiccInfo1> {
    return this.withSession((s) => s.getEuiccInfo1());
  }
  getEuiccInfo2(): Promise<EuiccInfo2> {
    return this.withSession((s) => s.getEuiccInfo2());
  }
  enableProfile(target: SwitchTarget): Promise<Es10Result<EnableResultName>> {
    return this.withSession((s) => s.enableProfile(target));
  }
  disableProfile(target: SwitchTarget): Promise<Es10Result<DisableResultName>> {
    return this.withSession((s) => s.disableProfile(target));
  }
  deleteProfile(target: ProfileTarget): Promise<Es10Result<DeleteResultName>> {
    return this.withSession((s) => s.deleteProfile(target));
  }
  setNickname(iccid: string, nickname: string): Promise<Es10Result<SetNicknameResultName>> {
    return this.withSession((s) => s.setNickname(iccid, nickname));
  }
  listNotifications(events?: readonly NotificationEventName[]): Promise<NotificationMetadata[]> {
    return this.withSession((s) => s.listNotifications(events));
  }
  retrieveNotifications(seqNumber?: number): Promise<PendingNotification[]> {
    return this.withSession((s) => s.retrieveNotifications(seqNumber));
  }
  removeNotification(seqNumber: number): Promise<Es10Result<NotificationSentResultName>> {
    return this.withSession((s) => s.removeNotification(seqNumber));
  }
}
