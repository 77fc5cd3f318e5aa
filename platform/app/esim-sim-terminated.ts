import { applyProfileEvent, type EsimProfile } from '../domain/esim/esim-profile.js';
import type { Subscriber } from '../domain/subscriber.js';
import type { StoreTx } from '../store/port.js';
import { ESIM_KINDS } from './esim-kinds.js';

/**
 * A SIM was just terminated: if its eSIM profile had been deleted from the device, the
 * "deleted but not terminated" flag (SPEC §1.5) no longer applies — the domain's `sim-terminated`
 * profile event clears it, in the caller's transaction. SIMs without a profile are left alone.
 */
export async function applySimTerminatedToProfile(tx: StoreTx, sim: Subscriber, now: number): Promise<void> {
  const profile = await tx.get<EsimProfile>(ESIM_KINDS.profile, sim.iccid);
  if (!profile || profile.imsi !== sim.imsi) return;
  const r = applyProfileEvent(profile, { type: 'sim-terminated' }, now);
  if (r.ok && r.value.profile !== profile) await tx.put(ESIM_KINDS.profile, profile.iccid, r.value.profile, profile.profileOrderId);
}
