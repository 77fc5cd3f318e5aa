import { describe, expect, it } from 'vitest';
import type { AtChannel, AtCommand, AtResponse, FinalResult } from '../at/types.js';
import { AtApduTransport } from './at-apdu-transport.js';
import { LpaClient } from './lpa-client.js';

const EID = '89049032118427504800000000003654';
const ISDR = 'A0000005591010FFFFFFFF8900000100';

interface Step {
  /** The exact command text the LPA must send. */
  command: string;
  /** The module's answer, as transcript lines: information lines then the final result. */
  reply: string[];
}

/**
 * An AtChannel double replaying a module transcript: each command must be the next one expected,
 * and gets the recorded lines back. Timeouts asked for are recorded too.
 */
class ScriptedAtChannel implements AtChannel {
  readonly timeouts: Record<string, number | undefined> = {};
  private index = 0;
  constructor(private readonly steps: Step[]) {}

  get done(): boolean {
    return this.index === this.steps.length;
  }

  async send<T>(command: AtCommand<T>): Promise<T> {
    const response = await this.exec(command.text, command.timeoutMs);
    if (response.final.kind !== 'ok') throw new Error(`${command.text}: ${response.final.kind}`);
    return command.parse(response);
  }

  async exec(text: string, timeoutMs?: number): Promise<AtResponse> {
    const step = this.steps[this.index];
    if (!step) throw new Error(`unexpected command after the script ended: ${text}`);
    if (step.command !== text) throw new Error(`expected ${step.command}, got ${text}`);
    this.index++;
    this.timeouts[text] = timeoutMs;
    const last = step.reply.at(-1)!;
    const final: FinalResult =
      last === 'OK' ? { kind: 'ok' } : last.startsWith('+CME ERROR:') ? { kind: 'cme', text: last.slice(12).trim() } : { kind: 'error' };
    return { lines: step.reply.slice(0, -1), final };
  }

  onUrc(): () => void {
    return () => undefined;
  }
  onClose(): () => void {
    return () => undefined;
  }
  readonly isOpen = true;
  async close(): Promise<void> {}
}

const EID_RESPONSE = `BF3E125A10${EID}9000`;

describe('AtApduTransport over AT+CCHO / AT+CGLA / AT+CCHC', () => {
  it('reads the EID the way a Quectel BG95 transcript shows', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['OK'] },
      { command: 'AT+CGLA=?', reply: ['OK'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['+CCHO: 1', 'OK'] },
      { command: 'AT+CGLA=1,24,"81E2910006BF3E035C015A00"', reply: [`+CGLA: 46,"${EID_RESPONSE}"`, 'OK'] },
      { command: 'AT+CCHC=1', reply: ['OK'] },
    ]);
    const transport = new AtApduTransport(at, { apduTimeoutMs: 7000 });
    expect(await new LpaClient(transport).getEid()).toBe(EID);
    expect(transport.selectedMode).toBe('cgla');
    expect(at.timeouts['AT+CGLA=1,24,"81E2910006BF3E035C015A00"']).toBe(7000);
    expect(at.done).toBe(true);
  });

  it('accepts a bare channel number for +CCHO and no space after +CGLA:, and probes only once', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['OK'] },
      { command: 'AT+CGLA=?', reply: ['OK'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['2', 'OK'] },
      { command: 'AT+CGLA=2,24,"82E2910006BF3E035C015A00"', reply: [`+CGLA:46,"${EID_RESPONSE}"`, 'OK'] },
      { command: 'AT+CCHC=2', reply: ['OK'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['+CCHO:5', 'OK'] },
      // Channel 5 is in the further interindustry class: CLA C1 for STORE DATA, C1 for GET RESPONSE.
      { command: 'AT+CGLA=5,24,"C1E2910006BF3E035C015A00"', reply: ['+CGLA: 4,"6115"', 'OK'] },
      { command: 'AT+CGLA=5,10,"C1C0000015"', reply: [`+CGLA: 46,"${EID_RESPONSE}"`, 'OK'] },
      { command: 'AT+CCHC=5', reply: ['OK'] },
    ]);
    const client = new LpaClient(new AtApduTransport(at));
    expect(await client.getEid()).toBe(EID);
    expect(await client.getEid()).toBe(EID);
    expect(at.done).toBe(true);
  });

  it('sends a long request as several STORE DATA blocks, one AT+CGLA each', async () => {
    const iccid = '8981100000000000019';
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['OK'] },
      { command: 'AT+CGLA=?', reply: ['OK'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['+CCHO: 1', 'OK'] },
      // BF29 1E { 5A 0A <iccid>, 90 10 "a sixteen-char n" }: 33 bytes, blocks of 16, 16 and 1.
      { command: 'AT+CGLA=1,42,"81E2110010BF291E5A0A981801000000000010F990"', reply: ['+CGLA: 4,"9000"', 'OK'] },
      { command: 'AT+CGLA=1,42,"81E21101101061207369787465656E2D6368617220"', reply: ['+CGLA: 4,"9000"', 'OK'] },
      { command: 'AT+CGLA=1,14,"81E29102016E00"', reply: ['+CGLA: 16,"BF29038001009000"', 'OK'] },
      { command: 'AT+CCHC=1', reply: ['OK'] },
    ]);
    const client = new LpaClient(new AtApduTransport(at), { segmentSize: 16 });
    expect(await client.setNickname(iccid, 'a sixteen-char n')).toEqual({ ok: true, code: 0, result: 'ok' });
    expect(at.done).toBe(true);
  });

  it('reports a line without a status word as LPA_BAD_AT_RESPONSE and still closes the channel', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['OK'] },
      { command: 'AT+CGLA=?', reply: ['OK'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['+CCHO: 1', 'OK'] },
      { command: 'AT+CGLA=1,24,"81E2910006BF3E035C015A00"', reply: ['+CGLA: 2,"90"', 'OK'] },
      { command: 'AT+CCHC=1', reply: ['OK'] },
    ]);
    await expect(new LpaClient(new AtApduTransport(at)).getEid()).rejects.toMatchObject({ code: 'LPA_BAD_AT_RESPONSE' });
    expect(at.done).toBe(true);
  });

  it('reports a failing AT+CGLA as LPA_TRANSPORT', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['OK'] },
      { command: 'AT+CGLA=?', reply: ['OK'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['+CCHO: 1', 'OK'] },
      { command: 'AT+CGLA=1,24,"81E2910006BF3E035C015A00"', reply: ['+CME ERROR: SIM failure'] },
      { command: 'AT+CCHC=1', reply: ['OK'] },
    ]);
    await expect(new LpaClient(new AtApduTransport(at)).getEid()).rejects.toMatchObject({ code: 'LPA_TRANSPORT' });
  });
});

describe('AtApduTransport fallback over AT+CSIM', () => {
  it('uses MANAGE CHANNEL, SELECT and GET RESPONSE when AT+CCHO=? fails', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['ERROR'] },
      { command: 'AT+CSIM=?', reply: ['OK'] },
      { command: 'AT+CSIM=10,"0070000001"', reply: ['+CSIM: 6,"019000"', 'OK'] },
      { command: `AT+CSIM=42,"01A4040010${ISDR}"`, reply: ['+CSIM: 4,"6121"', 'OK'] },
      { command: 'AT+CSIM=24,"81E2910006BF3E035C015A00"', reply: ['+CSIM: 4,"6115"', 'OK'] },
      { command: 'AT+CSIM=10,"81C0000015"', reply: [`+CSIM: 46,"${EID_RESPONSE}"`, 'OK'] },
      { command: 'AT+CSIM=10,"0070800100"', reply: ['+CSIM: 4,"9000"', 'OK'] },
    ]);
    const transport = new AtApduTransport(at);
    expect(await new LpaClient(transport).getEid()).toBe(EID);
    expect(transport.selectedMode).toBe('csim');
    expect(at.done).toBe(true);
  });

  it('falls back to AT+CSIM when AT+CGLA=? fails even though AT+CCHO=? works', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['OK'] },
      { command: 'AT+CGLA=?', reply: ['+CME ERROR: operation not supported'] },
      { command: 'AT+CSIM=?', reply: ['OK'] },
      { command: 'AT+CSIM=10,"0070000001"', reply: ['+CSIM: 6,"039000"', 'OK'] },
      { command: `AT+CSIM=42,"03A4040010${ISDR}"`, reply: ['+CSIM: 4,"9000"', 'OK'] },
    ]);
    const transport = new AtApduTransport(at);
    expect(await transport.open(ISDR)).toBe(3);
    expect(transport.selectedMode).toBe('csim');
  });

  it('reports a plain UICC (SELECT 6A82) as LPA_ISDR_NOT_FOUND and closes the channel it opened', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['ERROR'] },
      { command: 'AT+CSIM=?', reply: ['OK'] },
      { command: 'AT+CSIM=10,"0070000001"', reply: ['+CSIM: 6,"019000"', 'OK'] },
      { command: `AT+CSIM=42,"01A4040010${ISDR}"`, reply: ['+CSIM: 4,"6A82"', 'OK'] },
      { command: 'AT+CSIM=10,"0070800100"', reply: ['+CSIM: 4,"9000"', 'OK'] },
    ]);
    await expect(new AtApduTransport(at).open(ISDR)).rejects.toMatchObject({ code: 'LPA_ISDR_NOT_FOUND', sw: 0x6a82 });
    expect(at.done).toBe(true);
  });

  it('with no test commands at all, tries AT+CCHO for real before AT+CSIM', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['ERROR'] },
      { command: 'AT+CSIM=?', reply: ['ERROR'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['1', 'OK'] },
    ]);
    const transport = new AtApduTransport(at);
    expect(await transport.open(ISDR)).toBe(1);
    expect(transport.selectedMode).toBe('cgla');
  });

  it('with no test commands and no AT+CCHO, ends up on AT+CSIM', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['ERROR'] },
      { command: 'AT+CSIM=?', reply: ['ERROR'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['ERROR'] },
      { command: 'AT+CSIM=10,"0070000001"', reply: ['+CSIM: 6,"019000"', 'OK'] },
      { command: `AT+CSIM=42,"01A4040010${ISDR}"`, reply: ['+CSIM: 4,"9000"', 'OK'] },
    ]);
    const transport = new AtApduTransport(at);
    expect(await transport.open(ISDR)).toBe(1);
    expect(transport.selectedMode).toBe('csim');
  });

  it('reports a modem with neither channel commands nor AT+CSIM as LPA_NO_CHANNEL_SUPPORT', async () => {
    const at = new ScriptedAtChannel([
      { command: 'AT+CCHO=?', reply: ['ERROR'] },
      { command: 'AT+CSIM=?', reply: ['ERROR'] },
      { command: `AT+CCHO="${ISDR}"`, reply: ['ERROR'] },
      { command: 'AT+CSIM=10,"0070000001"', reply: ['ERROR'] },
    ]);
    const transport = new AtApduTransport(at);
    await expect(transport.open(ISDR)).rejects.toMatchObject({ code: 'LPA_NO_CHANNEL_SUPPORT' });
    expect(transport.selectedMode).toBeUndefined();
  });

  it('a forced mode skips the probes', async () => {
    const at = new ScriptedAtChannel([{ command: `AT+CCHO="${ISDR}"`, reply: ['+CCHO: 1', 'OK'] }]);
    expect(await new AtApduTransport(at, { mode: 'cgla' }).open(ISDR)).toBe(1);
  });
});
