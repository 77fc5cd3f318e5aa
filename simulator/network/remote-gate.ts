import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import type { Clock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { httpExchange } from '../http-exchange.js';
import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffPolicy } from '../../platform/contract/mqtt-session.js';
import { NETWORK_HTTP_PATHS, SESSION_DELETE_EVENT, SMS_DELIVER_EVENT, type CloseSessionBody } from '../../platform/contract/network-http.js';
import type {
  AttachDecision,
  AttachRequest,
  NetworkGate,
  SessionClosed,
  SessionDecision,
  SessionDeleteOrder,
  SmsDeliverOrder,
  SmsDeliveryReport,
  SessionRequest,
  UsageReport,
} from '../../platform/contract/network-gate.js';

export interface RemoteNetworkGateOptions {
  /** Platform base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The platform's network token (`cellgate platform` prints it). */
  token: string;
  clock: Clock;
  logger?: Logger;
  /** Reconnect backoff of the order stream (full jitter). Default 1 s … 60 s. */
  backoff?: Partial<BackoffPolicy>;
  /** Attempts of each gate call on a network failure or a 5xx answer. Default 3. */
  attempts?: number;
  random?: () => number;
  /**
   * Order sequence to resume after (sent as `Last-Event-ID` on the first connect): orders issued
   * after it are delivered even if the stream connects later. Default: from the stream's end at
   * connect time.
   */
  resumeAfter?: number;
}

/** The platform answered a gate call with an error (4xx/5xx) — not retried when 4xx. */
export class NetworkGateHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'NetworkGateHttpError';
  }
}

/**
 * `NetworkGate` over HTTP, for a simulator that runs apart from the platform
 * (`cellgate sim --platform <url> --network-token <t>`). Calls are JSON POSTs; session delete
 * orders arrive as Server-Sent Events on a stream that reconnects with full-jitter backoff and
 * resumes from the last order it saw (`Last-Event-ID`), so none is lost while disconnected.
 */
export class RemoteNetworkGate implements NetworkGate {
  private readonly handlers = new Set<(order: SessionDeleteOrder) => void>();
  private readonly smsHandlers = new Set<(order: SmsDeliverOrder) => void>();
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private readonly backoff: BackoffPolicy;
  private readonly base: string;
  private lastEventId: string | undefined;
  private streaming: Promise<void> | undefined;
  private connectedWaiters: (() => void)[] = [];
  private connected = false;
  private seenSeq = 0;
  private seenWaiters: Array<{ seq: number; resolve: () => void }> = [];

  constructor(private readonly options: RemoteNetworkGateOptions) {
    this.logger = options.logger ?? silentLogger();
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.base = options.url.replace(/\/+$/, '');
    if (options.resumeAfter !== undefined) {
      this.lastEventId = String(options.resumeAfter);
      this.seenSeq = options.resumeAfter;
    }
  }

  /** Sequence of the last order dispatched to the handlers (or `resumeAfter`). */
  get seen(): number {
    return this.seenSeq;
  }

  /**
   * Resolves once every order up to `seq` has been dispatched (opens the stream if needed). A
   * barrier shard waits on it so no order the platform issued is overtaken by its clock.
   */
  whenSeen(seq: number): Promise<void> {
    this.streaming ??= this.streamOrders();
    if (this.seenSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.seenWaiters.push({ seq, resolve }));
  }

  attach(request: AttachRequest): Promise<AttachDecision> {
    return this.call<AttachDecision>(NETWORK_HTTP_PATHS.attach, request);
  }

  createSession(request: SessionRequest): Promise<SessionDecision> {
    return this.call<SessionDecision>(NETWORK_HTTP_PATHS.sessions, request);
  }

  async modifySession(request: SessionRequest & { sessionId: string }): Promise<void> {
    const { sessionId, ...body } = request;
    await this.call(NETWORK_HTTP_PATHS.modify(sessionId), body);
  }

  async closeSession(closed: SessionClosed): Promise<void> {
    const body: CloseSessionBody = { imsi: closed.imsi, reason: closed.reason };
    await this.call(NETWORK_HTTP_PATHS.close(closed.sessionId), body);
  }

  async reportUsage(report: UsageReport): Promise<void> {
    await this.call(NETWORK_HTTP_PATHS.usage, report);
  }

  /** Subscribes to short messages for SIMs (same event stream as the delete orders). */
  onSmsDeliverOrder(handler: (order: SmsDeliverOrder) => void): () => void {
    this.smsHandlers.add(handler);
    this.streaming ??= this.streamOrders();
    return () => this.smsHandlers.delete(handler);
  }

  async reportSmsDelivery(report: SmsDeliveryReport): Promise<void> {
    await this.call(NETWORK_HTTP_PATHS.smsReport(report.messageId), { imsi: report.imsi, outcome: report.outcome });
  }

  /** Subscribes to delete orders; the first subscriber opens the event stream. */
  onSessionDeleteOrder(handler: (order: SessionDeleteOrder) => void): () => void {
    this.handlers.add(handler);
    this.streaming ??= this.streamOrders();
    return () => this.handlers.delete(handler);
  }

  /** Resolves once the order stream is connected (opens it if nobody subscribed yet). */
  whenStreaming(): Promise<void> {
    this.streaming ??= this.streamOrders();
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Closes the order stream; gate calls still work. */
  async close(): Promise<void> {
    this.abort.abort(new Error('remote network gate closed'));
    await this.streaming?.catch(() => undefined);
  }

  private async call<T>(path: string, body: unknown): Promise<T> {
    const payload = JSON.stringify(body);
    return pRetry(
      async () => {
        const res = await httpExchange(new URL(this.base + path), 'POST', { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, payload);
        const { text } = res;
        if (res.status < 200 || res.status > 299) {
          let code: string | undefined;
          let message = text;
          try {
            ({ code, message } = JSON.parse(text) as { code?: string; message: string });
          } catch {
            /* not JSON: keep the text */
          }
          const error = new NetworkGateHttpError(res.status, code, `network gate ${path}: ${res.status} ${code ?? ''} ${message}`.trim());
          // A refused request will be refused again: only 5xx are worth another try.
          if (res.status < 500) throw new AbortError(error);
          throw error;
        }
        return (text ? JSON.parse(text) : undefined) as T;
      },
      {
        retries: (this.options.attempts ?? 3) - 1,
        minTimeout: 0,
        maxTimeout: 0,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft === 0) return;
          const wait = fullJitterDelay(this.backoff, attemptNumber, this.options.random ?? Math.random);
          this.logger.warn({ path, err: error.message, retryInMs: wait }, 'network gate call failed');
          await this.options.clock.sleep(wait);
        },
      },
    );
  }

  private async streamOrders(): Promise<void> {
    const signal = this.abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      try {
        await this.readStream(signal, () => {
          attempt = 0;
        });
        this.logger.warn('network order stream ended');
      } catch (error) {
        if (signal.aborted) break;
        this.logger.warn({ err: (error as Error).message }, 'network order stream failed');
      }
      this.connected = false;
      attempt++;
      const wait = fullJitterDelay(this.backoff, attempt, this.options.random ?? Math.random);
      await this.options.clock.sleep(wait, signal).catch(() => undefined);
    }
  }

  private async readStream(signal: AbortSignal, onOpen: () => void): Promise<void> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    const res = await fetch(this.base + NETWORK_HTTP_PATHS.orders, { headers, signal });
    if (!res.ok || !res.body) throw new Error(`order stream: HTTP ${res.status}`);
    onOpen();
    this.connected = true;
    for (const resolve of this.connectedWaiters.splice(0)) resolve();
    this.logger.info({ url: this.base, lastEventId: this.lastEventId }, 'network order stream connected');
    const decoder = new TextDecoder();
    let buffer = '';
    let event = { id: undefined as string | undefined, type: 'message', data: [] as string[] };
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer[nl] === '\r' ? 2 : 1));
        if (line === '') {
          if (event.data.length > 0) this.dispatch(event.type, event.data.join('\n'), event.id);
          event = { id: undefined, type: 'message', data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') event.id = value;
        else if (field === 'event') event.type = value;
        else if (field === 'data') event.data.push(value);
      }
    }
  }

  private dispatch(type: string, data: string, id: string | undefined): void {
    if (id !== undefined) this.lastEventId = id;
    try {
      this.dispatchOrder(type, data);
    } finally {
      const seq = Number(id);
      if (Number.isSafeInteger(seq) && seq > this.seenSeq) {
        this.seenSeq = seq;
        const due = this.seenWaiters.filter((w) => w.seq <= seq);
        this.seenWaiters = this.seenWaiters.filter((w) => w.seq > seq);
        for (const w of due) w.resolve();
      }
    }
  }

  private dispatchOrder(type: string, data: string): void {
    if (type === SMS_DELIVER_EVENT) return this.dispatchSms(data);
    if (type !== SESSION_DELETE_EVENT) return;
    let order: SessionDeleteOrder;
    try {
      const parsed = JSON.parse(data) as Partial<SessionDeleteOrder>;
      if (typeof parsed.imsi !== 'string' || typeof parsed.sessionId !== 'string') throw new Error('not a session delete order');
      order = { imsi: parsed.imsi, sessionId: parsed.sessionId };
    } catch (error) {
      this.logger.warn({ data, err: (error as Error).message }, 'unreadable network order dropped');
      return;
    }
    for (const handler of this.handlers) {
      try {
        handler(order);
      } catch (error) {
        this.logger.error({ err: (error as Error).message }, 'session delete handler failed');
      }
    }
  }

  private dispatchSms(data: string): void {
    let order: SmsDeliverOrder;
    try {
      const p = JSON.parse(data) as Partial<SmsDeliverOrder>;
      if (typeof p.imsi !== 'string' || typeof p.messageId !== 'string' || typeof p.originator !== 'string' || typeof p.text !== 'string' || (p.encoding !== 'gsm7' && p.encoding !== 'ucs2') || typeof p.sentAt !== 'number') {
        throw new Error('not a short message order');
      }
      order = { imsi: p.imsi, messageId: p.messageId, originator: p.originator, encoding: p.encoding, text: p.text, sentAt: p.sentAt, utcOffsetMinutes: typeof p.utcOffsetMinutes === 'number' ? p.utcOffsetMinutes : 0 };
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'unreadable short message order dropped');
      return;
    }
    for (const handler of this.smsHandlers) {
      try {
        handler(order);
      } catch (error) {
        this.logger.error({ err: (error as Error).message }, 'short message handler failed');
      }
    }
  }
}
