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
} as const;
