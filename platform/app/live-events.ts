import type { SessionEventRecord, StatusChange } from '../domain/events.js';
import { isAllowed } from '../domain/permissions.js';
import type { StoreTx } from '../store/port.js';
import type { Principal } from './auth.js';
import { STREAMS, type AppContext } from './context.js';
import { DEVICE_KINDS } from './device-stores.js';
import { DEVICE_STREAMS, type DeviceRecord, type StoredDeviceEvent } from './devices.js';

/**
 * Live updates for the console (docs/console.md "Live updates"): read from the durable store
 * streams, never from one process's memory, so a console connected to any platform process sees
 * changes made by every process sharing the store.
 */

/** A SIM changed: its session went up or down (`online`), or its status changed. */
export interface LiveSimEvent {
  kind: 'sim';
  imsi: string;
  at: number;
  online?: boolean;
  sessionEvent?: SessionEventRecord['event'];
  status?: StatusChange['toStatus'];
}

/** A device delivered an event (as `GET /_cellgate/devices/{id}/events` lists it). */
export interface LiveDeviceEvent {
  kind: 'device-event';
  deviceId: string;
  event: StoredDeviceEvent;
}

export type LiveEvent = LiveSimEvent | LiveDeviceEvent;

/** Where a reader stands in each stream it follows; also the SSE `id` (`a.b.c`). */
export interface LiveCursor {
  sessionEvents: number;
  statusHistory: number;
  deviceEvents: number;
}

export function formatCursor(c: LiveCursor): string {
  return `${c.sessionEvents}.${c.statusHistory}.${c.deviceEvents}`;
}

/** Parses an SSE `Last-Event-ID`; anything malformed → null (start from now). */
export function parseCursor(text: string | undefined): LiveCursor | null {
  const m = /^(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/.exec(text ?? '');
  if (!m) return null;
  return { sessionEvents: Number(m[1]), statusHistory: Number(m[2]), deviceEvents: Number(m[3]) };
}

async function lastSeq(tx: StoreTx, stream: string): Promise<number> {
  const last = await tx.readStream(stream, { descending: true, limit: 1 });
  return last[0]?.seq ?? 0;
}

/** The end of every followed stream: a new reader starts there (only what happens next). */
export async function liveCursorNow(ctx: AppContext): Promise<LiveCursor> {
  return ctx.store.transaction(async (tx) => ({
    sessionEvents: await lastSeq(tx, STREAMS.sessionEvents),
    statusHistory: await lastSeq(tx, STREAMS.statusHistory),
    deviceEvents: await lastSeq(tx, DEVICE_STREAMS.events),
  }));
}

/**
 * What one caller may see: its own operator's SIMs and devices, and for a SAM user only the kinds
 * its permission lets it read through the API (`Subscriber:listSubscribers`,
 * `Device:listCellgateDeviceEvents`).
 */
export function liveAudience(principal: Principal): { operatorId: string; sims: boolean; devices: boolean } {
  const root = principal.userName === null;
  return {
    operatorId: principal.operatorId,
    sims: root || isAllowed(principal.permission, 'Subscriber:listSubscribers'),
    devices: root || isAllowed(principal.permission, 'Device:listCellgateDeviceEvents'),
  };
}

const BATCH = 500;

/**
 * Reads what happened after `cursor`, for one audience; returns the events (in stream order per
 * stream) and the new cursor. `more` says a batch was full and the caller should read again.
 */
export async function readLiveEvents(
  ctx: AppContext,
  audience: ReturnType<typeof liveAudience>,
  cursor: LiveCursor,
): Promise<{ events: LiveEvent[]; cursor: LiveCursor; more: boolean }> {
  return ctx.store.transaction(async (tx) => {
    const events: LiveEvent[] = [];
    // Owners are looked up per read (a deleted device id may be registered again by another operator).
    const deviceOwners = new Map<string, string>();
    const next = { ...cursor };
    const sessions = await tx.readStream<SessionEventRecord>(STREAMS.sessionEvents, { afterSeq: cursor.sessionEvents, limit: BATCH });
    for (const r of sessions) {
      next.sessionEvents = r.seq;
      if (audience.sims && r.body.operatorId === audience.operatorId) {
        events.push({ kind: 'sim', imsi: r.body.imsi, at: r.body.time, online: r.body.event !== 'Deleted', sessionEvent: r.body.event });
      }
    }
    const statuses = await tx.readStream<StatusChange>(STREAMS.statusHistory, { afterSeq: cursor.statusHistory, limit: BATCH });
    for (const r of statuses) {
      next.statusHistory = r.seq;
      if (audience.sims && r.body.operatorId === audience.operatorId) events.push({ kind: 'sim', imsi: r.body.imsi, at: r.body.at, status: r.body.toStatus });
    }
    const devices = await tx.readStream<StoredDeviceEvent>(DEVICE_STREAMS.events, { afterSeq: cursor.deviceEvents, limit: BATCH });
    for (const r of devices) {
      next.deviceEvents = r.seq;
      if (!audience.devices) continue;
      let owner = deviceOwners.get(r.key);
      if (owner === undefined) {
        owner = (await tx.get<DeviceRecord>(DEVICE_KINDS.device, r.key))?.operatorId ?? '';
        deviceOwners.set(r.key, owner);
      }
      if (owner === audience.operatorId) events.push({ kind: 'device-event', deviceId: r.key, event: r.body });
    }
    const more = sessions.length === BATCH || statuses.length === BATCH || devices.length === BATCH;
    return { events, cursor: next, more };
  });
}
