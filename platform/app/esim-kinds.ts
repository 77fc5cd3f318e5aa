/** Store document kinds of the eSIM part (shared by the order use cases and the subscriber rules). */
export const ESIM_KINDS = {
  order: 'esim-profile-order',
  /** Profiles by ICCID, partitioned by their order. */
  profile: 'esim-profile',
  /** EID + sequence number of every notification applied (dedupe, SGP.22 §3.5). */
  notification: 'esim-notification',
} as const;
