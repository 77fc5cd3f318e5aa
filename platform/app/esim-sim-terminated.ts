import { applyProfileEvent, type EsimProfile } from '../domain/esim/esim-profile.js';
import type { Subscriber } from '../domain/subscriber.js';
import type { StoreTx } from '../store/port.js';
import { ESIM_KINDS } from './esim-kinds.js';
import type { SmdsEs12Port } from './smdp-port.js';

/**
 * A SIM was just terminated: if its eSIM profile had been deleted from the device, the
 * "deleted but not terminated" flag (SPEC §1.5) no longer applies — the domain's `sim-terminated`
 * profile event clears it, in the caller's transaction. SIMs without a profile are left alone.
 * A profile bound to an EID loses its SM-DS event (ES12.DeleteEvent, SGP.22 §5.9.2): it can no
 * longer be downloaded (8.8.5 / 4.1), so no device should discover it.
 */
export async function applySimTerminatedToProfile(tx: StoreTx, sim: Subscriber, now: number, smds?: SmdsEs12Port): Promise<void> {
  const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, sim.iccid);
  if (!profile || profile.imsi !== sim.imsi) return;
  const download = await tx.get<{ eventId?: string }>(ESIM_KINDS.download, profile.iccid);
  if (download?.eventId) {
    const { eventId, ...rest } = download;
    await tx.delete(ESIM_KINDS.smdpEvent, eventId);
    await smds?.deleteEvent(tx, eventId);
    await tx.put(ESIM_KINDS.download, profile.iccid, rest);
  }
  const r = applyProfileEvent(profile, { type: 'sim-terminated' }, now);
  if (r.ok && r.value.profile !== profile) await tx.put(ESIM_KINDS.profile, profile.iccid, r.value.profile, profile.profileOrderId);
}
