/**
 * The one source of time for every part of cellgate.
 *
 * Rules, state machines and schedulers take a `Clock` instead of reading the wall clock, so a
 * test or a fleet run can move time forward by months in milliseconds (SPEC §1.8).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once, `ms` from now (on this clock's time line). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms`; rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Opaque timer handle; only the clock that issued it can clear it. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** `Clock.sleep` for any clock: a timer on that clock, cancelled when the signal aborts. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortError(signal!));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock; the default everywhere outside tests and virtual-time fleet runs. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = globalThis.setTimeout(fn, Math.max(0, ms));
    // A pending timer must never keep a gateway process alive on shutdown.
    t.unref?.();
    return t;
  }
  clearTimeout(handle: TimerHandle): void {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

interface VirtualTimer {
  readonly id: number;
  readonly due: number;
  fn: (() => void) | undefined;
}

/** Lets pending promise callbacks and I/O callbacks run before the next timer fires. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const firesBefore = (a: VirtualTimer, b: VirtualTimer): boolean => a.due < b.due || (a.due === b.due && a.id < b.id);

/**
 * A clock that moves only when told to. Timers fire in due-time order (ties in creation order)
 * and the event loop gets a turn after each, so promise chains started by one timer settle
 * before the next fires.
 *
 * Timers sit in a binary heap with lazy deletion: a fleet of thousands of agents sets and clears
 * a command timeout per AT command, so both must stay O(log n).
 */
export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly heap: VirtualTimer[] = [];
  private live = 0;

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    this.push(timer);
    this.live++;
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as Partial<VirtualTimer>;
    if (timer.fn === undefined) return;
    // Lazy deletion: the entry stays in the heap, disarmed, and is dropped when it surfaces.
    timer.fn = undefined;
    this.live--;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Number of timers waiting to fire. */
  pending(): number {
    return this.live;
  }

  /** Due time of the next timer, if any. */
  nextDue(): number | undefined {
    return this.peek()?.due;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `target` (never backwards), firing due timers in order. */
  async advanceTo(target: number): Promise<void> {
    await yieldToEventLoop();
    for (;;) {
      const next = this.peek();
      if (!next || next.due > target) break;
      this.pop();
      const fn = next.fn!;
      next.fn = undefined;
      this.live--;
      this.current = Math.max(this.current, next.due);
      fn();
      await yieldToEventLoop();
    }
    this.current = Math.max(this.current, target);
  }

  /** Sets the time directly without firing timers; for test set-up only. */
  set(time: number | Date): void {
    this.current = typeof time === 'number' ? time : time.getTime();
  }

  /** The earliest live timer, dropping cleared ones on the way. */
  private peek(): VirtualTimer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.fn === undefined) this.pop();
    return this.heap[0];
  }

  private push(timer: VirtualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!firesBefore(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (heap.length === 0 || !last) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && firesBefore(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && firesBefore(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}
