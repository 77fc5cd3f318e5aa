import { describe, expect, it } from 'vitest';
import { applyProfileEvent, type EsimProfile, type ProfileEvent } from './esim-profile.js';
import { PROFILE_CSV_COLUMNS, csvProfileStatus, profilesToCsv } from './profile-csv.js';
import { registeredProfile } from './test-fixtures.js';

const T0 = Date.UTC(2025, 5, 19, 1, 0, 0);

function after(events: ProfileEvent[], base: EsimProfile): EsimProfile {
  return events.reduce((p, e, i) => {
    const r = applyProfileEvent(p, e, T0 + (i + 1) * 60_000);
    if (!r.ok) throw new Error(r.error.message);
    return r.value.profile;
  }, base);
}

describe('profile CSV export', () => {
  it('has the columns of seed 002, in order', () => {
    expect(PROFILE_CSV_COLUMNS).toEqual(['SIM ID', 'IMSI', 'Subscription', 'SM-DP', 'Matching ID', 'Activation Code', 'Profile Status', 'Installed Time', 'Last Modified Time']);
  });

  it('spells the statuses as the seed 002 CSV does', () => {
    expect(csvProfileStatus('SUBSCRIBER_REGISTRATION_SUCCEEDED')).toBe('SUBSCRIBER_REGISTRATION_SUCCEEDEDED');
    expect(csvProfileStatus('INSTALLATION_SUCCEEDED')).toBe('INSTALLATION_SUCCEEDED');
    expect(csvProfileStatus('ACTIVATION_SUCCEEDED')).toBe('ACTIVATION_SUCCEEDED');
    expect(csvProfileStatus('INACTIVATION_SUCCEEDED')).toBe('INACTIVATION_SUCCEEDED');
    expect(csvProfileStatus('DELETION_SUCCEEDED')).toBe('DELETION_SUCCEEDED');
  });

  it('matches the golden output for every profile status', () => {
    const ok = (type: 'installation' | 'activation' | 'inactivation' | 'deletion'): ProfileEvent => ({ type, result: 'succeeded' });
    const base = (n: number, extra: Partial<EsimProfile> = {}) =>
      registeredProfile({
        simId: `894231002200000001${n}`,
        imsi: `29505090000000${n}`,
        matchingId: `MATCH-${n}`,
        activationCode: `LPA:1$smdp.cellgate.test$MATCH-${n}`,
        ...extra,
      });
    const profiles = [
      base(1),
      after([ok('installation')], base(2)),
      after([ok('installation'), ok('activation')], base(3)),
      after([ok('installation'), ok('activation'), ok('inactivation')], base(4, { subscription: 'planP1' })),
      after([ok('installation'), ok('deletion')], base(5, { subscription: 'planX1' })),
      base(6, { smdpAddress: 'smdp,"odd".test' }),
    ];
    const golden = [
      'SIM ID,IMSI,Subscription,SM-DP,Matching ID,Activation Code,Profile Status,Installed Time,Last Modified Time',
      '8942310022000000011,295050900000001,plan01s,smdp.cellgate.test,MATCH-1,LPA:1$smdp.cellgate.test$MATCH-1,SUBSCRIBER_REGISTRATION_SUCCEEDEDED,,2025-06-19T01:00:00.000Z',
      '8942310022000000012,295050900000002,plan01s,smdp.cellgate.test,MATCH-2,LPA:1$smdp.cellgate.test$MATCH-2,INSTALLATION_SUCCEEDED,2025-06-19T01:01:00.000Z,2025-06-19T01:01:00.000Z',
      '8942310022000000013,295050900000003,plan01s,smdp.cellgate.test,MATCH-3,LPA:1$smdp.cellgate.test$MATCH-3,ACTIVATION_SUCCEEDED,2025-06-19T01:01:00.000Z,2025-06-19T01:02:00.000Z',
      '8942310022000000014,295050900000004,planP1,smdp.cellgate.test,MATCH-4,LPA:1$smdp.cellgate.test$MATCH-4,INACTIVATION_SUCCEEDED,2025-06-19T01:01:00.000Z,2025-06-19T01:03:00.000Z',
      '8942310022000000015,295050900000005,planX1,smdp.cellgate.test,MATCH-5,LPA:1$smdp.cellgate.test$MATCH-5,DELETION_SUCCEEDED,2025-06-19T01:01:00.000Z,2025-06-19T01:02:00.000Z',
      '8942310022000000016,295050900000006,plan01s,"smdp,""odd"".test",MATCH-6,LPA:1$smdp.cellgate.test$MATCH-6,SUBSCRIBER_REGISTRATION_SUCCEEDEDED,,2025-06-19T01:00:00.000Z',
      '',
    ].join('\r\n');
    expect(profilesToCsv(profiles)).toBe(golden);
  });
});
