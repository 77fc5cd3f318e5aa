import type { StoreTx } from '../store/port.js';

/**
 * Session addresses [choice]: every SIM gets its own address in 127.16.0.0/12 the first time it
 * opens a data session and keeps it. Linux routes all of 127.0.0.0/8 to the loopback interface,
 * so a simulated device (or a test) can bind a socket to its session address and the platform
 * sees that address as the request's source — which is how the metadata service tells SIMs
 * apart without credentials.
 */
export const SESSION_IP_POOL = { cidr: '127.16.0.0/12', base: (127 << 24) + (16 << 16), size: 1 << 20 } as const;

const KIND_BY_IMSI = 'session-ip';
const KIND_OWNER = 'session-ip-owner';
const KIND_POOL = 'session-ip-pool';

function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** The SIM's session address, allocated from the pool on first use (inside the caller's transaction). */
export async function sessionIpFor(tx: StoreTx, imsi: string): Promise<string> {
  const existing = await tx.get<{ ip: string }>(KIND_BY_IMSI, imsi);
  if (existing) return existing.ip;
  const pool = (await tx.get<{ next: number }>(KIND_POOL, 'next')) ?? { next: 1 };
  // Offsets 0 and size-1 are the pool's network and broadcast addresses: never handed out.
  if (pool.next >= SESSION_IP_POOL.size - 1) throw new Error(`session address pool ${SESSION_IP_POOL.cidr} is exhausted`);
  const ip = formatIp(SESSION_IP_POOL.base + pool.next);
  await tx.put(KIND_POOL, 'next', { next: pool.next + 1 });
  await tx.put(KIND_BY_IMSI, imsi, { ip });
  await tx.put(KIND_OWNER, ip, { imsi });
  return ip;
}

/** The IMSI a session address was allocated to, if any. */
export async function imsiOfSessionIp(tx: StoreTx, ip: string): Promise<string | null> {
  return (await tx.get<{ imsi: string }>(KIND_OWNER, ip))?.imsi ?? null;
}
