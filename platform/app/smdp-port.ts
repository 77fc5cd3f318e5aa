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
}
