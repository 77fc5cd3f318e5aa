/**
 * The console's "Download CSV" of an order's profiles (seed 002): columns and status values
 * exactly as the seed lists them — the registered status is spelled
 * `SUBSCRIBER_REGISTRATION_SUCCEEDEDED` there, unlike the API.
 */
import type { EsimProfile, ProfileStatus } from './esim-profile.js';

export const PROFILE_CSV_COLUMNS = [
  'SIM ID',
  'IMSI',
  'Subscription',
  'SM-DP',
  'Matching ID',
  'Activation Code',
  'Profile Status',
  'Installed Time',
  'Last Modified Time',
] as const;

/** API status → CSV value. [choice] Failure values, absent from seed 002's table, keep the API spelling. */
export function csvProfileStatus(status: ProfileStatus): string {
  return status === 'SUBSCRIBER_REGISTRATION_SUCCEEDED' ? 'SUBSCRIBER_REGISTRATION_SUCCEEDEDED' : status;
}

/** [choice] Times as ISO 8601 UTC with milliseconds; an empty cell when not installed. */
const csvTime = (t: number | null): string => (t === null ? '' : new Date(t).toISOString());

/** RFC 4180 quoting: only fields with a comma, quote or line break are quoted. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** [choice] RFC 4180 CSV: CRLF line ends, header row first, one row per profile in the given order. */
export function profilesToCsv(profiles: readonly EsimProfile[]): string {
  const rows = [
    [...PROFILE_CSV_COLUMNS],
    ...profiles.map((p) => [
      p.simId,
      p.imsi,
      p.subscription,
      p.smdpAddress,
      p.matchingId,
      p.activationCode,
      csvProfileStatus(p.profileStatus),
      csvTime(p.installedTime),
      csvTime(p.lastModifiedTime),
    ]),
  ];
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
