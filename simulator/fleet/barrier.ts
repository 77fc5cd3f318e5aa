/**
 * ONE virtual clock for shards in several processes (threads, machines) against one platform:
 * the barrier (docs/fleet.md, "Shards on one virtual clock").
 *
 * Protocol (JSON lines over TCP; the coordinator listens, each shard connects once):
 * - shard → `{"hello": {"shard": i}}`; coordinator → `{"welcome": {"now": t, "orders": s}}` once
 *   every expected shard said hello (all shards start on the same instant; `s`: the platform's
 *   network order stream ends at sequence `s`, the shard's order stream resumes after it).
 * - shard → `{"ready": {"want": t, "seen": s}}` when it is settled (nothing in flight, no timer
 *   due before `t`, every network order up to sequence `s` applied); the coordinator waits until
 *   EVERY active shard is ready (or at a rendezvous). If the platform issued orders a ready shard
 *   has not seen (a session delete after an operator action or a platform job: they cross
 *   processes on an SSE stream the barrier does not carry), it answers `{"sync": {"orders": e}}`
 *   and time waits: the shard waits until its stream delivered them, settles, asks again.
 *   Otherwise it picks
 *   `T = min(wants, the platform's next job)`, moves the platform's clock to `T` (running its due
 *   jobs), then answers `{"go": {"at": T}}` to the ready shards, which fire their timers up to `T`,
 *   settle and ask again. A shard busy with real work (HTTP calls of a timeline event) simply has
 *   not asked yet, so time waits for it.
 * - shard → `{"rendezvous": {}}`: waits until every active shard is at the rendezvous, then
 *   `{"go": {"at": now}}` (the shards start their gateways on the same instant, as in one process).
 * - shard → `{"done": {}}` (or its connection closes): it no longer holds time back.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { VirtualClock } from '../../common/clock.js';
import { settleUntilQuiet, type ActivityMeter, type TimeDriver } from './time-driver.js';

type ShardMessage = { hello: { shard: number } } | { ready: { want: number; seen?: number } } | { rendezvous: Record<string, never> } | { done: Record<string, never> };
type CoordinatorMessage = { welcome: { now: number; orders?: number } } | { go: { at: number } } | { sync: { orders: number } } | { error: { message: string } };

/** Reads newline-delimited JSON from a socket. */
function onLines(socket: Socket, handle: (message: unknown) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      if (line.trim() === '') continue;
      try {
        handle(JSON.parse(line));
      } catch {
        socket.destroy(new Error(`barrier: not a JSON line: ${line.slice(0, 80)}`));
      }
    }
  });
}

const send = (socket: Socket, message: ShardMessage | CoordinatorMessage): void => void socket.write(`${JSON.stringify(message)}\n`);

export interface BarrierCoordinatorOptions {
  /** The platform's clock: the one time of the run. */
  clock: VirtualClock;
  /** Moves the platform's clock by `ms`, running its jobs in order (`scheduler.advance`). */
  advance: (ms: number) => Promise<void>;
  /** Shards expected (each says hello once). */
  shards: number;
  /**
   * Sequence of the platform's latest network order (session delete, SMS deliver): time moves
   * only once every ready shard has seen up to it. Absent: orders are not waited for.
   */
  ordersEnd?: () => Promise<number>;
  /** Listen address; default 127.0.0.1, any free port. */
  host?: string;
  port?: number;
}

interface ShardState {
  socket: Socket;
  shard: number;
  state: 'busy' | 'ready' | 'rendezvous' | 'done';
  want: number;
  /** Network orders applied up to this sequence (`ready.seen`); undefined: it takes none (not waited for). */
  seen: number | undefined;
}

/** The coordinator of the barrier; lives with the platform. */
export class BarrierCoordinator {
  private readonly server: Server;
  private readonly shards: ShardState[] = [];
  private started = false;
  private deciding = false;
  private finished!: () => void;
  /** Resolves once every shard said done. */
  readonly allDone: Promise<void> = new Promise((resolve) => (this.finished = resolve));
  /** Clock moves made (each one a barrier round). */
  rounds = 0;
  /** Rounds held back for shards to catch up with network orders. */
  syncs = 0;

  private constructor(private readonly options: BarrierCoordinatorOptions) {
    this.server = createServer((socket) => this.accept(socket));
  }

  static async start(options: BarrierCoordinatorOptions): Promise<BarrierCoordinator> {
    const c = new BarrierCoordinator(options);
    await new Promise<void>((resolve, reject) => {
      c.server.once('error', reject);
      c.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return c;
  }

  /** `host:port` shards connect to. */
  get address(): string {
    const a = this.server.address() as AddressInfo;
    return `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    let state: ShardState | undefined;
    onLines(socket, (raw) => {
      const message = raw as ShardMessage;
      if ('hello' in message) {
        if (state || this.started) return send(socket, { error: { message: 'unexpected hello' } });
        state = { socket, shard: message.hello.shard, state: 'busy', want: Infinity, seen: undefined };
        this.shards.push(state);
        if (this.shards.length === this.options.shards) void this.welcome();
        return;
      }
      if (!state) return send(socket, { error: { message: 'say hello first' } });
      if ('ready' in message) {
        state.state = 'ready';
        state.want = message.ready.want;
        state.seen = message.ready.seen;
      } else if ('rendezvous' in message) state.state = 'rendezvous';
      else if ('done' in message) state.state = 'done';
      void this.decide();
    });
    socket.on('close', () => {
      if (state) state.state = 'done';
      void this.decide();
    });
    socket.on('error', () => undefined);
  }

  private async welcome(): Promise<void> {
    const orders = this.options.ordersEnd ? await this.options.ordersEnd() : undefined;
    this.started = true;
    for (const s of this.shards) send(s.socket, { welcome: { now: this.options.clock.now(), ...(orders !== undefined ? { orders } : {}) } });
  }

  /** Moves time once every active shard waits on the barrier. */
  private async decide(): Promise<void> {
    if (!this.started || this.deciding) return;
    const active = this.shards.filter((s) => s.state !== 'done');
    if (active.length === 0) {
      this.finished();
      return;
    }
    if (active.some((s) => s.state === 'busy')) return;
    this.deciding = true;
    try {
      const { clock } = this.options;
      const ready = active.filter((s) => s.state === 'ready');
      if (ready.length === 0) {
        // Everyone at the rendezvous: release them together.
        for (const s of active) {
          s.state = 'busy';
          send(s.socket, { go: { at: clock.now() } });
        }
        return;
      }
      if (this.options.ordersEnd) {
        const end = await this.options.ordersEnd();
        const behind = ready.filter((s) => s.seen !== undefined && s.seen < end);
        if (behind.length > 0) {
          // Orders are on their way to these shards: they apply them at this instant first.
          this.syncs++;
          for (const s of behind) {
            s.state = 'busy';
            send(s.socket, { sync: { orders: end } });
          }
          return;
        }
      }
      const platformNext = clock.nextDue() ?? Infinity;
      const target = Math.max(clock.now(), Math.min(platformNext, ...ready.map((s) => s.want)));
      if (Number.isFinite(target) && target > clock.now()) await this.options.advance(target - clock.now());
      this.rounds++;
      if (process.env.CELLGATE_BARRIER_TRACE) console.error(`barrier round ${this.rounds}: T=${new Date(clock.now()).toISOString()} platformNext=${platformNext} wants=${ready.map((s) => `${s.shard}:${s.want - clock.now()}`).join(",")}`);
      for (const s of ready) {
        s.state = 'busy';
        send(s.socket, { go: { at: clock.now() } });
      }
    } finally {
      this.deciding = false;
    }
    // Messages that arrived while the platform moved.
    void this.decide();
  }

  async close(): Promise<void> {
    for (const s of this.shards) s.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Connects a shard to the coordinator at `host:port`; resolves once the run starts (`startTime`, `startOrders`). */
export async function joinBarrier(address: string, shard: number): Promise<BarrierClient> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (!host || !Number.isInteger(port) || port <= 0) throw new Error(`--barrier must be host:port, not ${JSON.stringify(address)}`);
  const socket = createConnection({ host, port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const client = new BarrierClient(socket);
  send(socket, { hello: { shard } });
  const welcome = await client.next();
  client.startTime = welcome.now;
  client.startOrders = welcome.orders;
  return client;
}

/** A shard's end of the barrier. */
type Answer = { now: number; at: number; orders?: number; sync?: number };

export class BarrierClient {
  startTime = 0;
  /** The platform's order sequence at the start (resume the order stream after it), if it keeps one. */
  startOrders: number | undefined;
  private readonly waiting: Array<(value: Answer) => void> = [];
  private failure: Error | undefined;

  constructor(private readonly socket: Socket) {
    onLines(socket, (raw) => {
      const message = raw as CoordinatorMessage;
      if ('error' in message) return this.fail(new Error(`barrier: ${message.error.message}`));
      const value: Answer =
        'welcome' in message
          ? { now: message.welcome.now, at: message.welcome.now, ...(message.welcome.orders !== undefined ? { orders: message.welcome.orders } : {}) }
          : 'sync' in message
            ? { now: NaN, at: -1, sync: message.sync.orders }
            : { now: message.go.at, at: message.go.at };
      this.waiting.shift()?.(value);
    });
    socket.on('close', () => this.fail(new Error('barrier: the coordinator went away')));
    socket.on('error', (error) => this.fail(error));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.splice(0)) w({ now: NaN, at: NaN });
  }

  next(): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) =>
      this.waiting.push((v) => (Number.isNaN(v.at) ? reject(this.failure ?? new Error('barrier closed')) : resolve(v))),
    );
  }

  /**
   * Settled, with network orders applied up to `seen`; wants time to move to `want` at most.
   * Resolves with the instant granted, or with the order sequence to catch up with first.
   */
  async ready(want: number, seen?: number): Promise<{ at: number } | { sync: number }> {
    const answer = this.next();
    send(this.socket, { ready: { want, ...(seen !== undefined ? { seen } : {}) } });
    const a = await answer;
    return a.sync !== undefined ? { sync: a.sync } : { at: a.at };
  }

  async rendezvous(): Promise<number> {
    const answer = this.next();
    send(this.socket, { rendezvous: {} });
    return (await answer).at;
  }

  done(): void {
    if (!this.socket.destroyed) {
      send(this.socket, { done: {} });
      this.socket.end();
    }
  }
}

/** The shard's end of the platform's network order stream (`RemoteNetworkGate`). */
export interface OrderFeed {
  /** Sequence of the last order applied. */
  readonly seen: number;
  /** Resolves once every order up to `seq` was applied. */
  whenSeen(seq: number): Promise<void>;
}

/**
 * A shard's time driver: settles locally like `VirtualTimeDriver`, then asks the barrier how far
 * its clock may move, and fires its own timers up to the instant granted.
 */
export class BarrierTimeDriver implements TimeDriver {
  readonly mode = 'virtual' as const;
  hops = 0;
  private readonly quietTurns: number;
  private readonly maxTurns: number;

  constructor(private readonly options: { clock: VirtualClock; meter: ActivityMeter; barrier: BarrierClient; orders?: OrderFeed; quietTurns?: number; maxTurns?: number }) {
    this.quietTurns = options.quietTurns ?? 3;
    this.maxTurns = options.maxTurns ?? 5000;
  }

  now(): number {
    return this.options.clock.now();
  }

  settle(): Promise<void> {
    return settleUntilQuiet(this.options.meter, this.quietTurns, this.maxTurns);
  }

  async runUntil(target: number, onProgress?: () => void): Promise<void> {
    const { clock, barrier } = this.options;
    let lastReport = 0;
    for (;;) {
      await this.settle();
      if (clock.now() >= target) break;
      const next = clock.nextDue();
      const want = next === undefined ? target : Math.min(Math.max(next, clock.now()), target);
      const answer = await barrier.ready(want, this.options.orders?.seen);
      if ('sync' in answer) {
        // The platform issued network orders this shard has not applied yet: apply, settle, ask again.
        await this.options.orders?.whenSeen(answer.sync);
        continue;
      }
      await clock.advanceTo(Math.min(answer.at, target));
      this.hops++;
      if (onProgress && this.hops - lastReport >= 200) {
        lastReport = this.hops;
        onProgress();
      }
    }
    onProgress?.();
  }

  /** Waits until every shard got here, so they all go on from the same instant. */
  async rendezvous(): Promise<void> {
    await this.settle();
    const at = await this.options.barrier.rendezvous();
    await this.options.clock.advanceTo(at);
  }

  close(): void {
    this.options.barrier.done();
  }
}
