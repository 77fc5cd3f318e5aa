import type { VirtualClock } from '../../../common/clock.js';
import { silentLogger } from '../../../common/log.js';
import type { NetworkGate } from '../../../platform/contract/network-gate.js';
import { LocalNetworkGate } from '../../network/local-network-gate.js';
import type { DialectName } from '../dialects.js';
import { LATENCY_PROFILES, ZERO_LATENCY } from '../latency.js';
import { seededRandom } from '../../seeded-random.js';
import { PlainSim } from '../plain-sim.js';
import type { SimCard } from '../sim-card.js';
import { SimulatedModem } from '../simulated-modem.js';

const FINAL = /\r\n(OK|ERROR|\+CME ERROR: [^\r]*|\+CMS ERROR: [^\r]*|POWERED DOWN|NORMAL POWER DOWN)\r\n/;

/**
 * A test's view of a simulated modem: type a command, move virtual time until the final result
 * code shows up, get back the lines. Used by the modem's own tests (a test kit, not production).
 */
export class Terminal {
  output = '';
  private mark = 0;

  constructor(
    readonly modem: SimulatedModem,
    readonly clock: VirtualClock,
  ) {
    modem.onOutput((chunk) => (this.output += chunk.toString('latin1')));
  }

  /** Everything since the last `take()` or `at()`, split into non-empty lines. */
  take(): string[] {
    const text = this.output.slice(this.mark);
    this.mark = this.output.length;
    return text.split(/\r\n|\r|\n/).filter((l) => l !== '');
  }

  /** Moves virtual time in steps, letting the modem work. */
  async run(ms: number, step = 50): Promise<void> {
    for (let t = 0; t < ms; t += step) await this.clock.advance(Math.min(step, ms - t));
  }

  /** Sends `command`, then waits until `pattern` shows up in anything that followed (URCs after OK). */
  async atThen(command: string, pattern: RegExp, maxMs = 200_000): Promise<string[]> {
    const start = this.output.length;
    await this.at(command, maxMs);
    this.mark = start;
    return this.waitFor(pattern, maxMs);
  }

  /** Sends `command` and waits (in virtual time, up to `maxMs`) for its final result. */
  async at(command: string, maxMs = 200_000): Promise<string[]> {
    const start = this.output.length;
    this.modem.write(`${command}\r`);
    for (let t = 0; t <= maxMs; t += 50) {
      await this.clock.advance(t === 0 ? 0 : 50);
      const text = this.output.slice(start);
      if (FINAL.test(text)) {
        const lines = text.split(/\r\n|\r|\n/).filter((l) => l !== '');
        this.mark = this.output.length;
        return lines;
      }
    }
    throw new Error(`no final result for ${command} within ${maxMs} ms; got ${JSON.stringify(this.output.slice(start))}`);
  }

  /** Waits (virtual time) until a line matching `pattern` appears after the mark. */
  async waitFor(pattern: RegExp, maxMs = 200_000): Promise<string[]> {
    for (let t = 0; t <= maxMs; t += 50) {
      const lines = this.output.slice(this.mark).split(/\r\n|\r|\n/).filter((l) => l !== '');
      if (lines.some((l) => pattern.test(l))) {
        this.mark = this.output.length;
        return lines;
      }
      await this.clock.advance(50);
    }
    throw new Error(`no ${pattern} within ${maxMs} ms; output since mark: ${JSON.stringify(this.output.slice(this.mark))}`);
  }
}

export interface TestModemOptions {
  dialect: DialectName;
  clock: VirtualClock;
  gate?: NetworkGate;
  sim?: SimCard | null;
  realistic?: boolean;
  usageReportIntervalMs?: number;
}

export const TEST_IMEI = '359221090000018';
export const TEST_IMSI = '440100000000001';
export const TEST_ICCID = '8981100000000000018';

/** A modem on a virtual clock with a plain SIM and a local gate, booted and ready. */
export async function bootedModem(options: TestModemOptions): Promise<{ modem: SimulatedModem; term: Terminal; gate: NetworkGate }> {
  const gate = options.gate ?? new LocalNetworkGate();
  const modem = new SimulatedModem({
    dialect: options.dialect,
    imei: TEST_IMEI,
    sim: options.sim === null ? undefined : (options.sim ?? new PlainSim(TEST_ICCID, TEST_IMSI)),
    gate,
    clock: options.clock,
    logger: silentLogger(),
    latency: options.realistic ? LATENCY_PROFILES[options.dialect] : ZERO_LATENCY,
    speed: 1,
    random: seededRandom(7),
    usageReportIntervalMs: options.usageReportIntervalMs ?? 0,
  });
  const term = new Terminal(modem, options.clock);
  modem.start();
  await term.run(options.realistic ? 20_000 : 100);
  return { modem, term, gate };
}
