/**
 * `esim-enable`: the platform sends enable-profile (the gateway's other ordered profile) to each
 * hit eSIM gateway over its MQTT link, and the switch is counted when the device answers.
 */
import type { Gateway } from './fleet-gateway.js';
import type { OperatorClient } from './operator-client.js';

/** How long an eSIM switch may take before the command counts as failed (platform time). */
const ESIM_COMMAND_TIMEOUT_MS = 600_000;

/** Every profile switch of the run: the commands still in flight and their outcomes. */
export class EsimSwitches {
  /** All commands sent; the runner waits for them before measuring. */
  readonly inFlight: Array<Promise<void>> = [];
  sent = 0;
  ok = 0;
  failed = 0;
  /** ICCIDs a switch enabled (the platform should show them ACTIVATION_SUCCEEDED). */
  readonly switchedTo: string[] = [];
  readonly errors: string[] = [];
}

/** Sends enable-profile to each of `hit` (eSIM gateways with a link); returns the commands sent. */
export function enableOtherProfile(ctx: { operator: OperatorClient; switches: EsimSwitches }, hit: readonly Gateway[]): Array<Promise<void>> {
  const { operator, switches } = ctx;
  const sent = hit.map((gw) => {
    const other = gw.esim!.profiles.find((p) => p.imsi !== gw.imsi)!;
    const deviceId = gw.link!.deviceId;
    switches.sent++;
    // Not tracked by the meter: the answer needs the device to work on the moving clock.
    return operator
      .sendCommand(deviceId, { name: 'enable-profile', iccid: other.iccid }, ESIM_COMMAND_TIMEOUT_MS)
      .then((result) => {
        const outcome = result.result as { ok?: boolean } | undefined;
        if (result.status === 'ok' && outcome?.ok !== false) {
          switches.ok++;
          switches.switchedTo.push(other.iccid);
          gw.imsi = other.imsi;
          // The new profile's subscriber is Ready: it may attach.
          gw.intendedStatus = 'ready';
        } else {
          switches.failed++;
          switches.errors.push(`${deviceId}: ${result.status} ${JSON.stringify(result.error ?? result.result ?? null)}`);
        }
      })
      .catch((error: unknown) => {
        switches.failed++;
        switches.errors.push(`${deviceId}: ${(error as Error).message}`);
      });
  });
  switches.inFlight.push(...sent);
  return sent;
}
