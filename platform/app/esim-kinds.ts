/** Store document kinds of the eSIM part (shared by the order use cases and the subscriber rules). */
export const ESIM_KINDS = {
  order: 'esim-profile-order',
  /** Profiles by ICCID, partitioned by their order. */
  profile: 'esim-profile',
  /** EID + sequence number of every notification applied (dedupe, SGP.22 §3.5). */
  notification: 'esim-notification',
  /** Matching ID → the profile it downloads (written when the profile is provisioned). */
  matchingId: 'esim-matching-id',
  /** The SM-DP+'s download state of each profile, by ICCID. */
  download: 'smdp-download',
  /** RSP sessions of the SM-DP+ (ES9+), by transaction id. */
  session: 'smdp-session',
  /** Event ID → the profile bound to an EID it downloads (the SM-DP+'s side of an SM-DS event). */
  smdpEvent: 'smdp-event',
  /** The SM-DS's events (ES12 RegisterEvent), by event id, partitioned by EID. */
  smdsEvent: 'smds-event',
  /** ES11 sessions of the SM-DS, by transaction id. */
  smdsSession: 'smds-session',
} as const;
