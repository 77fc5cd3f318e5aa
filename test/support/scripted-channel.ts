/**
 * A scripted `AtChannel` test double: a responder function answers each command text (or lets
 * it time out on the clock), and tests push URCs or close the port. For unit tests of the
 * session driver only; end-to-end tests use the real channel against the simulator.
 */
import type { Clock } from '../../common/clock.js';
import { AtPortClosedError, AtTimeoutError, errorForFinal } from '../../agent/at/errors.js';
import type { AtChannel, AtCommand, AtResponse, Urc, UrcHandler } from '../../agent/at/types.js';

export type Reply = AtResponse | 'timeout' | string[] | 'ERROR';

export class ScriptedChannel implements AtChannel {
  readonly sent: string[] = [];
  private readonly urcHandlers: Array<{ prefix: string; handler: UrcHandler }> = [];
  private readonly closeHandlers: Array<(error?: Error) => void> = [];
  private open = true;

  constructor(
    private readonly clock: Clock,
    public respond: (text: string) => Reply,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  async exec(text: string, timeoutMs = 1000): Promise<AtResponse> {
    if (!this.open) throw new AtPortClosedError(text);
    this.sent.push(text);
    const reply = this.respond(text);
    if (reply === 'timeout') {
      await this.clock.sleep(timeoutMs);
      throw new AtTimeoutError(text, timeoutMs);
    }
    if (reply === 'ERROR') return { lines: [], final: { kind: 'error' } };
    if (Array.isArray(reply)) return { lines: reply, final: { kind: 'ok' } };
    return reply;
  }

  async send<T>(command: AtCommand<T>): Promise<T> {
    const response = await this.exec(command.text, command.timeoutMs ?? 1000);
    if (response.final.kind !== 'ok') throw errorForFinal(command.text, response);
    return command.parse(response);
  }

  onUrc(prefix: string, handler: UrcHandler): () => void {
    const entry = { prefix, handler };
    this.urcHandlers.push(entry);
    return () => {
      const i = this.urcHandlers.indexOf(entry);
      if (i >= 0) this.urcHandlers.splice(i, 1);
    };
  }

  onClose(handler: (error?: Error) => void): () => void {
    this.closeHandlers.push(handler);
    return () => {
      const i = this.closeHandlers.indexOf(handler);
      if (i >= 0) this.closeHandlers.splice(i, 1);
    };
  }

  /** Delivers a URC line to the subscribers of its prefix. */
  urc(line: string): void {
    for (const { prefix, handler } of [...this.urcHandlers]) {
      if (line === prefix || line.startsWith(`${prefix}:`)) {
        const urc: Urc = { prefix, line, args: line.slice(prefix.length).replace(/^:/, '').trim(), at: this.clock.now() };
        handler(urc);
      }
    }
  }

  /** The device went away (USB re-enumeration). */
  drop(): void {
    if (!this.open) return;
    this.open = false;
    for (const h of [...this.closeHandlers]) h(new Error('device gone'));
  }

  async close(): Promise<void> {
    this.open = false;
  }
}
