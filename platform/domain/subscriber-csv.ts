/**
 * `exportSubscribers`' CSV (reference: "Export all subscribers as a CSV file"; the columns are not
 * published). [choice] UTF-8 with a BOM and CRLF line ends like the billing export; one row per
 * subscriber in IMSI order; the columns are the Subscriber view's scalar fields, the tag `name`,
 * then one `tag:<name>` column per other tag name. Pure.
 */
import { publicModuleType } from './module-type.js';
import type { Subscriber } from './subscriber.js';

export const SUBSCRIBER_CSV_COLUMNS = [
  'imsi', 'msisdn', 'iccid', 'simId', 'serialNumber', 'name', 'status', 'online', 'subscription', 'speedClass', 'moduleType',
  'groupId', 'ipAddress', 'ueIpAddress', 'imei', 'terminationEnabled', 'expiryTime', 'expiryAction', 'imeiLock', 'createdTime', 'lastModifiedTime',
] as const;

const quote = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const iso = (t: number | null | undefined): string => (t === null || t === undefined ? '' : new Date(t).toISOString());

export function exportSubscribersCsv(subscribers: readonly Subscriber[]): string {
  const tagNames = [...new Set(subscribers.flatMap((s) => Object.keys(s.tags)).filter((t) => t !== 'name'))].sort();
  const header = [...SUBSCRIBER_CSV_COLUMNS, ...tagNames.map((t) => `tag:${t}`)];
  const rows = subscribers.map((s) => [
    s.imsi, s.msisdn, s.iccid, s.simId, s.serialNumber, s.tags.name ?? '', s.status, String(s.sessionStatus?.online ?? false), s.subscription, s.speedClass,
    publicModuleType(s.moduleType), s.groupId ?? '', s.ipAddress, s.sessionStatus?.online ? (s.sessionStatus.ueIpAddress ?? '') : '', s.sessionStatus?.imei ?? '',
    String(s.terminationEnabled), iso(s.expiryTime), s.expiryAction ?? '', s.imeiLock?.imei ?? '', iso(s.createdTime), iso(s.lastModifiedTime),
    ...tagNames.map((t) => s.tags[t] ?? ''),
  ]);
  return `\uFEFF${[header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
}
