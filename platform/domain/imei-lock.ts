/**
 * IMEI lock (reference `setImeiLock` / `unsetImeiLock`, `SetImeiLockRequest`, `ImeiLock`): a
 * SIM locked to one device's IMEI gets no data session in any other device. The lock is a
 * session rule, like the real platform's ("fails to connect due to an IMEI lock"): attach is
 * not affected, a session request from another IMEI is refused (`REJECT_CAUSES` in session.ts).
 */
import { fail, ok, type Result } from './errors.js';
import type { Subscriber } from './subscriber.js';

/** Appended to a locked IMEI: a session whose IMEI the network did not report is let through too. */
export const IMEI_LOCK_ANONYMOUS_SUFFIX = '|ANONYMOUS';

/** An IMEI (3GPP TS 23.003 §6.2.1: 14 digits + check digit), optionally with `|ANONYMOUS`. */
const LOCK_PATTERN = /^[0-9]{15}(\|ANONYMOUS)?$/;

/**
 * `setImeiLock`: locks the SIM to `imei`; without one (absent or empty) to the IMEI of its live
 * session, which an offline SIM does not have (`SEM0016`). Malformed IMEI → `SEM0017`.
 */
export function setImeiLock(s: Subscriber, imei: string | undefined, now: number): Result<Subscriber> {
  if (s.status === 'terminated') return fail('SEM0003');
  let value = imei ?? '';
  if (value === '') {
    const current = s.sessionStatus?.online ? s.sessionStatus.imei : undefined;
    if (!current) return fail('SEM0016', '(an IMEI is needed to lock an offline subscriber)');
    value = current;
  }
  if (!LOCK_PATTERN.test(value)) return fail('SEM0017', `(${JSON.stringify(value)})`);
  return ok({ ...s, imeiLock: { imei: value }, lastModifiedTime: now });
}

/** `unsetImeiLock`: removes any lock (no lock is not an error, as in the reference). */
export function unsetImeiLock(s: Subscriber, now: number): Subscriber {
  return s.imeiLock ? { ...s, imeiLock: null, lastModifiedTime: now } : s;
}

/** May a device reporting `imei` ('' = not reported) use a SIM with this lock? */
export function imeiLockAllows(lock: Subscriber['imeiLock'], imei: string): boolean {
  if (!lock) return true;
  const anonymousOk = lock.imei.endsWith(IMEI_LOCK_ANONYMOUS_SUFFIX);
  const locked = anonymousOk ? lock.imei.slice(0, -IMEI_LOCK_ANONYMOUS_SUFFIX.length) : lock.imei;
  return imei === locked || (anonymousOk && imei === '');
}
