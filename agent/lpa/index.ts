/** agent/lpa: SGP.22 ES10 client over AT (`AT+CCHO/CGLA/CCHC`, or `AT+CSIM`). */
export type { ApduTransport } from './apdu-transport.js';
export { AtApduTransport } from './at-apdu-transport.js';
export type { AtApduMode, AtApduTransportOptions } from './at-apdu-transport.js';
export { LpaClient, LpaSession } from './lpa-client.js';
export type { LpaClientOptions, SwitchTarget } from './lpa-client.js';
export { encodeRequest, decodeResponse } from './es10-codec.js';
export type {
  Es10Result,
  EuiccInfo1,
  EuiccInfo2,
  NotificationMetadata,
  PendingNotification,
  ProfileInfo,
  ProfileTarget,
} from './es10-codec.js';
export { exchangeEs10, DEFAULT_SEGMENT_SIZE } from './store-data.js';
export { claForChannel } from './apdu.js';
export { LpaError, LPA_ERROR_CODES } from './errors.js';
export type { LpaErrorCode } from './errors.js';
export { LpaService, DEFAULT_LPA_CONFIG } from './service.js';
export type { LpaServiceOptions, LpaServiceConfig, LpaSessionHooks, NotificationSink, SwitchOutcome, DeliveryReport } from './service.js';
export { attachLpa } from './attach-lpa.js';
export type { AttachLpaOptions, AttachedLpa } from './attach-lpa.js';
