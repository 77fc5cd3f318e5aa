/**
 * `ApduTransport` over a modem's AT channel (3GPP TS 27.007): logical channels with
 * `AT+CCHO` / `AT+CGLA` / `AT+CCHC` (§8.45, §8.43, §8.46), or raw `AT+CSIM` (§8.17) with MANAGE
 * CHANNEL and SELECT when the module lacks the channel commands.
 */
import { AtCmeError } from '../at/errors.js';
import { parseCchoAnswer } from '../modem/info-parsers.js';
import type { AtChannel, AtResponse } from '../at/types.js';
import type { ApduTransport } from './apdu-transport.js';
import { claForChannel } from './apdu.js';
import { LpaError, swHex } from './errors.js';

export type AtApduMode = 'cgla' | 'csim';

export interface AtApduTransportOptions {
  /**
   * `auto` (default) probes `AT+CCHO=?` and `AT+CGLA=?`, falls back to `AT+CSIM` when they fail,
   * and — for modules that answer no test commands at all — tries a real `AT+CCHO` first.
   */
  mode?: 'auto' | AtApduMode;
  /** Timeout for one APDU command; some modules take seconds per `AT+CGLA`. Default 10 s. */
  apduTimeoutMs?: number;
  /** Timeout for the `=?` probes and channel management. Default 5 s. */
  controlTimeoutMs?: number;
  /**
   * Last resort when the card has no free logical channel even after the stale ones were closed:
   * a SIM power cycle (the agent sends `AT+CFUN=0`, `AT+CFUN=1`). Omitted: no power cycle.
   */
  powerCycle?: () => Promise<void>;
  /** Told what a recovery did (the LPA logs it). */
  onRecovery?: (what: string) => void;
}

/** Session ids from here up are handles the modem gave (their APDUs carry no channel bits). */
const FIRST_HANDLE_ID = 256;
const HEX_RESPONSE = (name: string): RegExp => new RegExp(`^\\+${name}:\\s*(\\d+)\\s*,\\s*"?([0-9A-Fa-f]*)"?$`);
const CGLA = HEX_RESPONSE('CGLA');
const CSIM = HEX_RESPONSE('CSIM');

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

export class AtApduTransport implements ApduTransport {
  private mode: AtApduMode | undefined;
  private readonly apduTimeoutMs: number;
  private readonly controlTimeoutMs: number;
  /** Channels this transport opened and has not closed: what a recovery closes first. */
  private readonly opened = new Set<number>();
  /** Modem session handles by the id handed to the caller (27.007 §8.45 `<sessionid>`). */
  private readonly handles = new Map<number, string>();
  private nextHandleId = FIRST_HANDLE_ID;

  constructor(
    private readonly at: AtChannel,
    private readonly options: AtApduTransportOptions = {},
  ) {
    this.mode = options.mode === 'auto' || options.mode === undefined ? undefined : options.mode;
    this.apduTimeoutMs = options.apduTimeoutMs ?? 10_000;
    this.controlTimeoutMs = options.controlTimeoutMs ?? 5_000;
  }

  /** Channels opened and not closed yet (a leak if an operation is over). */
  get openChannels(): number[] {
    return [...this.opened];
  }

  /**
   * Opens a channel; when the card has none free (`6A81`, or `+CME ERROR: 20` memory full to
   * AT+CCHO), closes the stale ones — those this transport left open, else every channel 1..19 —
   * and tries again, then power-cycles the SIM as a last resort. Each step is reported.
   */
  async open(aid: string): Promise<number> {
    try {
      return await this.openOnce(aid);
    } catch (e) {
      if (!noFreeChannel(e)) throw e;
      const closed = await this.closeStale();
      this.options.onRecovery?.(`no free logical channel: closed ${closed.length} stale channel(s) (${closed.join(', ') || 'none answered'})`);
      try {
        return await this.openOnce(aid);
      } catch (again) {
        if (!noFreeChannel(again) || !this.options.powerCycle) throw again;
        this.options.onRecovery?.('still no free logical channel: SIM power cycle (AT+CFUN=0, AT+CFUN=1)');
        await this.options.powerCycle();
        this.opened.clear();
        this.handles.clear();
        return this.openOnce(aid);
      }
    }
  }

  private async closeStale(): Promise<number[]> {
    const candidates = this.opened.size > 0 ? [...this.opened] : Array.from({ length: 19 }, (_, i) => i + 1);
    const closed: number[] = [];
    for (const ch of candidates) {
      if (await this.close(ch).then(() => true, () => false)) closed.push(ch);
      this.opened.delete(ch);
    }
    return closed;
  }

  /** The mode in use, once known. */
  get selectedMode(): AtApduMode | undefined {
    return this.mode;
  }

  private async openOnce(aid: string): Promise<number> {
    if (!/^[0-9A-Fa-f]{10,32}$/.test(aid)) throw new LpaError('LPA_BAD_REQUEST', `not an AID: ${aid}`);
    if (this.mode === undefined) {
      const probed = await this.probe();
      if (probed === undefined) {
        // No test command answered: try the channel commands for real, then AT+CSIM.
        try {
          const ch = await this.openCgla(aid);
          this.mode = 'cgla';
          return this.track(ch);
        } catch (e) {
          if (e instanceof LpaError && e.code !== 'LPA_TRANSPORT') throw e;
          try {
            const ch = await this.openCsim(aid);
            this.mode = 'csim';
            return this.track(ch);
          } catch (csimError) {
            if (csimError instanceof LpaError && csimError.code !== 'LPA_TRANSPORT') {
              this.mode = 'csim';
              throw csimError;
            }
            throw new LpaError('LPA_NO_CHANNEL_SUPPORT', 'the modem answers neither AT+CCHO nor AT+CSIM', { cause: csimError });
          }
        }
      }
      this.mode = probed;
    }
    return this.track(this.mode === 'cgla' ? await this.openCgla(aid) : await this.openCsim(aid));
  }

  private track(ch: number): number {
    this.opened.add(ch);
    return ch;
  }

  private ref(ch: number): string {
    return this.handles.get(ch) ?? String(ch);
  }

  async transmit(ch: number, apdu: Uint8Array): Promise<Uint8Array> {
    if (this.mode === 'cgla') {
      const text = `AT+CGLA=${this.ref(ch)},${apdu.length * 2},"${hex(apdu)}"`;
      return this.hexCommand(text, CGLA, 'CGLA', this.apduTimeoutMs);
    }
    return this.csim(apdu, this.apduTimeoutMs);
  }

  async close(ch: number): Promise<void> {
    this.opened.delete(ch);
    if (this.mode === 'cgla') {
      const ref = this.ref(ch);
      this.handles.delete(ch);
      await this.run(`AT+CCHC=${ref}`, this.controlTimeoutMs);
      return;
    }
    const response = await this.csim(Uint8Array.of(0x00, 0x70, 0x80, ch, 0x00), this.controlTimeoutMs);
    const sw = statusWord(response);
    if (sw !== 0x9000) throw new LpaError('LPA_STATUS_WORD', `closing channel ${ch}: ${swHex(sw)}`, { sw });
  }

  /** `cgla` when both channel test commands answer OK, `csim` when only `AT+CSIM=?` does. */
  private async probe(): Promise<AtApduMode | undefined> {
    const ok = async (text: string): Promise<boolean> => {
      try {
        await this.run(text, this.controlTimeoutMs);
        return true;
      } catch {
        return false;
      }
    };
    if ((await ok('AT+CCHO=?')) && (await ok('AT+CGLA=?'))) return 'cgla';
    if (await ok('AT+CSIM=?')) return 'csim';
    return undefined;
  }

  private async openCgla(aid: string): Promise<number> {
    const response = await this.run(`AT+CCHO="${aid.toUpperCase()}"`, this.controlTimeoutMs);
    const answer = parseCchoAnswer(response.lines);
    if (!answer) throw new LpaError('LPA_BAD_AT_RESPONSE', `AT+CCHO answered ${JSON.stringify(response.lines)}`);
    if (answer.format === 'decimal' && answer.value <= 19) return answer.value;
    // A session handle: kept as the modem wrote it; the modem sets the CLA channel bits.
    const id = this.nextHandleId++;
    this.handles.set(id, answer.text);
    return id;
  }

  /** MANAGE CHANNEL open `00 70 00 00 01`, then SELECT by AID with the channel in the CLA. */
  private async openCsim(aid: string): Promise<number> {
    const opened = await this.csim(Uint8Array.of(0x00, 0x70, 0x00, 0x00, 0x01), this.controlTimeoutMs);
    const sw = statusWord(opened);
    if (sw === 0x6a81) throw new LpaError('LPA_NO_FREE_CHANNEL', 'MANAGE CHANNEL: no channel available', { sw });
    if (sw !== 0x9000 || opened.length !== 3) throw new LpaError('LPA_STATUS_WORD', `MANAGE CHANNEL answered ${hex(opened)}`, { sw });
    const ch = opened[0]!;
    const aidBytes = Buffer.from(aid, 'hex');
    const select = Uint8Array.from([claForChannel(0x00, ch), 0xa4, 0x04, 0x00, aidBytes.length, ...aidBytes]);
    const selected = statusWord(await this.csim(select, this.controlTimeoutMs));
    if (selected === 0x9000 || selected >> 8 === 0x61) return ch;
    await this.csim(Uint8Array.of(0x00, 0x70, 0x80, ch, 0x00), this.controlTimeoutMs).catch(() => undefined);
    if (selected === 0x6a82) throw new LpaError('LPA_ISDR_NOT_FOUND', `SELECT ${aid}: application not found`, { sw: selected });
    throw new LpaError('LPA_STATUS_WORD', `SELECT ${aid}: ${swHex(selected)}`, { sw: selected });
  }

  private csim(apdu: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    return this.hexCommand(`AT+CSIM=${apdu.length * 2},"${hex(apdu)}"`, CSIM, 'CSIM', timeoutMs);
  }

  private async hexCommand(text: string, pattern: RegExp, name: string, timeoutMs: number): Promise<Uint8Array> {
    const response = await this.run(text, timeoutMs);
    for (const line of response.lines) {
      const m = pattern.exec(line.trim());
      if (!m) continue;
      const data = m[2]!;
      if (data.length % 2 !== 0 || data.length < 4) throw new LpaError('LPA_BAD_AT_RESPONSE', `+${name} carries no status word: ${line}`);
      return Uint8Array.from(Buffer.from(data, 'hex'));
    }
    throw new LpaError('LPA_BAD_AT_RESPONSE', `no +${name} line in ${JSON.stringify(response.lines)}`);
  }

  private async run(text: string, timeoutMs: number): Promise<AtResponse> {
    try {
      return await this.at.send({ text, timeoutMs, parse: (response: AtResponse) => response });
    } catch (e) {
      throw new LpaError('LPA_TRANSPORT', `${text}: ${(e as Error).message ?? String(e)}`, { cause: e });
    }
  }
}

/** The card has no free logical channel: MANAGE CHANNEL `6A81`, or AT+CCHO refused with memory full. */
function noFreeChannel(e: unknown): boolean {
  if (e instanceof LpaError && e.code === 'LPA_NO_FREE_CHANNEL') return true;
  const cause = e instanceof LpaError ? e.cause : undefined;
  return cause instanceof AtCmeError && /^AT\+CCHO=/.test(cause.command ?? '') && (cause.cmeCode === 20 || /memory full|no (free )?channel/i.test(cause.message));
}

function statusWord(response: Uint8Array): number {
  if (response.length < 2) throw new LpaError('LPA_BAD_AT_RESPONSE', 'response APDU shorter than a status word');
  return (response[response.length - 2]! << 8) | response[response.length - 1]!;
}
