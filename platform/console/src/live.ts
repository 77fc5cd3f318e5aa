import type { Api } from './api.js';

/** What `GET /_cellgate/events` streams (platform/app/live-events.ts). */
export type LiveEvent =
  | { kind: 'sim'; imsi: string; at: number; online?: boolean; sessionEvent?: string; status?: string }
  | { kind: 'device-event'; deviceId: string; event: { key: string; type: string; data: Record<string, unknown>; createdAt: number; receivedAt: number } };

export type LiveState = 'connecting' | 'live' | 'off';

/**
 * Follows the platform's live events. Server-Sent Events read with `fetch` (EventSource cannot
 * send the API headers, and the token must not go into a URL); after a drop it reconnects with
 * `Last-Event-ID`, so nothing in between is missed.
 */
export class LiveEvents {
  private readonly listeners = new Set<(e: LiveEvent) => void>();
  private readonly stateListeners = new Set<(s: LiveState) => void>();
  private abort: AbortController | null = null;
  private lastEventId: string | null = null;
  private stopped = false;
  state: LiveState = 'connecting';

  constructor(private readonly api: Api) {}

  on(listener: (e: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (s: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private setState(state: LiveState): void {
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }

  private async run(): Promise<void> {
    let delay = 1000;
    while (!this.stopped) {
      this.abort = new AbortController();
      try {
        const headers = this.api.headers(this.lastEventId ? { 'last-event-id': this.lastEventId, accept: 'text/event-stream' } : { accept: 'text/event-stream' });
        const res = await fetch('/_cellgate/events', { headers, signal: this.abort.signal });
        if (res.status === 401 || res.status === 403) {
          // Not allowed (a SAM user without the permission): the pages still work, without live updates.
          this.setState('off');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        this.setState('live');
        delay = 1000;
        await this.read(res.body);
      } catch {
        if (this.stopped) return;
      }
      this.setState('connecting');
      await new Promise((done) => setTimeout(done, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  /** One SSE block (WHATWG HTML "server-sent events" field rules: `field: value`, `:` comments). */
  private dispatch(block: string): void {
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') this.lastEventId = value;
      else if (field === 'data') data += (data ? '\n' : '') + value;
    }
    if (!data) return;
    let event: LiveEvent;
    try {
      event = JSON.parse(data) as LiveEvent;
    } catch {
      return;
    }
    for (const l of this.listeners) l(event);
  }
}
