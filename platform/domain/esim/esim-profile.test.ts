import { describe, expect, it } from 'vitest';
import { applyProfileEvent, toOrderedProfileResponse, type ProfileEvent } from './esim-profile.js';
import { registeredProfile } from './test-fixtures.js';

const T0 = Date.UTC(2025, 5, 19, 1, 0, 0);

/** Applies reports in order, one minute apart; throws on the first refusal. */
function run(events: ProfileEvent[], start = registeredProfile()) {
  let profile = start;
  const emitted = [];
  for (const [i, e] of events.entries()) {
    const r = applyProfileEvent(profile, e, T0 + (i + 1) * 60_000);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    profile = r.value.profile;
    emitted.push(...r.value.events);
  }
  return { profile, emitted };
}

const ok = (type: 'installation' | 'activation' | 'inactivation' | 'deletion'): ProfileEvent => ({ type, result: 'succeeded' });

describe('applyProfileEvent', () => {
  it('follows Registered → Installed → Activated ⇄ Deactivated → Deleted with the API status strings', () => {
    const statuses: string[] = [];
    let p = registeredProfile();
    for (const e of [ok('installation'), ok('activation'), ok('inactivation'), ok('activation'), ok('inactivation'), ok('deletion')]) {
      const r = applyProfileEvent(p, e, T0 + 1);
      if (!r.ok) throw new Error(r.error.message);
      p = r.value.profile;
      statuses.push(`${p.state}/${p.profileStatus}`);
    }
    expect(statuses).toEqual([
      'installed/INSTALLATION_SUCCEEDED',
      'activated/ACTIVATION_SUCCEEDED',
      'deactivated/INACTIVATION_SUCCEEDED',
      'activated/ACTIVATION_SUCCEEDED',
      'deactivated/INACTIVATION_SUCCEEDED',
      'deleted/DELETION_SUCCEEDED',
    ]);
  });

  it('records the installed and last modified times', () => {
    const { profile } = run([{ type: 'download' }, ok('installation'), ok('activation')]);
    expect(profile.installedTime).toBe(T0 + 2 * 60_000);
    expect(profile.lastModifiedTime).toBe(T0 + 3 * 60_000);
    expect(toOrderedProfileResponse(profile)).toMatchObject({ installedTime: T0 + 2 * 60_000, profileStatus: 'ACTIVATION_SUCCEEDED' });
    expect(toOrderedProfileResponse(registeredProfile())).not.toHaveProperty('installedTime');
  });

  it('installs a profile once: a second download or installation is refused', () => {
    const { profile } = run([ok('installation')]);
    expect(applyProfileEvent(profile, { type: 'download' }, T0)).toMatchObject({ ok: false, error: { code: 'EPO0010' } });
    expect(applyProfileEvent(profile, ok('installation'), T0)).toMatchObject({ ok: false, error: { code: 'EPO0010' } });
    const deleted = run([ok('deletion')], profile).profile;
    expect(applyProfileEvent(deleted, { type: 'download' }, T0)).toMatchObject({ ok: false, error: { code: 'EPO0012' } });
  });

  it('keeps the state on a failed report but shows the failure status; a failed installation may be retried', () => {
    const failed = run([{ type: 'installation', result: 'failed' }]).profile;
    expect(failed).toMatchObject({ state: 'registered', profileStatus: 'INSTALLATION_FAILED', installedTime: null });
    expect(applyProfileEvent(failed, { type: 'download' }, T0).ok).toBe(true);
    const active = run([ok('installation'), ok('activation'), { type: 'inactivation', result: 'failed' }]).profile;
    expect(active).toMatchObject({ state: 'activated', profileStatus: 'INACTIVATION_FAILED' });
  });

  it('refuses reports the history rules out, and everything after deletion', () => {
    expect(applyProfileEvent(registeredProfile(), ok('activation'), T0)).toMatchObject({ ok: false, error: { code: 'EPO0011' } });
    expect(applyProfileEvent(registeredProfile(), ok('deletion'), T0)).toMatchObject({ ok: false, error: { code: 'EPO0011' } });
    const activated = run([ok('installation'), ok('activation')]).profile;
    expect(applyProfileEvent(activated, ok('activation'), T0)).toMatchObject({ ok: false, error: { code: 'EPO0011' } });
    const deleted = run([ok('deletion')], activated).profile;
    for (const e of [ok('activation'), ok('inactivation'), ok('deletion')]) {
      expect(applyProfileEvent(deleted, e, T0)).toMatchObject({ ok: false, error: { code: 'EPO0012' } });
    }
  });

  it('accepts a later step when the device did not report the one between (seed 002 note *1)', () => {
    expect(run([ok('installation'), ok('deletion')]).profile.state).toBe('deleted');
    expect(run([ok('installation'), ok('inactivation')]).profile.state).toBe('deactivated');
  });

  it('flags a deleted profile whose SIM is not terminated until the SIM is terminated', () => {
    const { profile, emitted } = run([ok('installation'), ok('activation'), ok('inactivation'), ok('deletion')]);
    expect(profile.deletedButNotTerminated).toBe(true);
    expect(emitted.at(-1)).toEqual({ type: 'esim-profile-deleted-sim-not-terminated', imsi: profile.imsi, simId: profile.simId, operatorId: 'OP0000000001', at: T0 + 4 * 60_000 });
    const cleared = applyProfileEvent(profile, { type: 'sim-terminated' }, T0 + 10 * 60_000);
    expect(cleared.ok && cleared.value.profile).toMatchObject({ deletedButNotTerminated: false, state: 'deleted' });

    const alreadyTerminated = run([ok('installation'), { type: 'deletion', result: 'succeeded', simTerminated: true }]);
    expect(alreadyTerminated.profile.deletedButNotTerminated).toBe(false);
    expect(alreadyTerminated.emitted.map((e) => e.type)).toEqual(['esim-profile-status-changed', 'esim-profile-status-changed']);
  });

  it('emits a status change with the API strings', () => {
    const r = applyProfileEvent(registeredProfile(), ok('installation'), T0 + 5);
    expect(r.ok && r.value.events).toEqual([
      { type: 'esim-profile-status-changed', imsi: '295050900000001', profileOrderId: 'order-1', operatorId: 'OP0000000001', fromStatus: 'SUBSCRIBER_REGISTRATION_SUCCEEDED', toStatus: 'INSTALLATION_SUCCEEDED', state: 'installed', at: T0 + 5 },
    ]);
  });

  it('refuses an unknown report type', () => {
    expect(applyProfileEvent(registeredProfile(), { type: 'reboot' } as unknown as ProfileEvent, T0)).toMatchObject({ ok: false, error: { code: 'EPO0013' } });
  });
});
