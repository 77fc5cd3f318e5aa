import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import type { SimCard } from './sim-card.js';
import { bootedModem } from './testing/terminal.js';

const ISD_R = 'A0000005591010FFFFFFFF8900000100';

/** A card with one application (the ISD-R AID) that echoes the APDU's data back with 9000. */
function echoCard(): SimCard & { log: [number, string][] } {
  const open = new Set<number>();
  const log: [number, string][] = [];
  return {
    iccid: '8981100000000000018',
    imsi: '440100000000001',
    log,
    openChannel(aid) {
      if (aid !== ISD_R) return { sw: 0x6a82 };
      for (let ch = 1; ch <= 19; ch++) {
        if (!open.has(ch)) {
          open.add(ch);
          return { channel: ch };
        }
      }
      return { sw: 0x6a81 };
    },
    transmit(channel, apdu) {
      log.push([channel, Buffer.from(apdu).toString('hex').toUpperCase()]);
      if (!open.has(channel)) return Uint8Array.of(0x68, 0x81);
      return Uint8Array.from([...apdu.subarray(5), 0x90, 0x00]);
    },
    closeChannel: (channel) => open.delete(channel),
    onRefresh: () => () => undefined,
  };
}

describe('logical channels relayed to the card', () => {
  it('CCHO / CGLA / CCHC on a Quectel module', async () => {
    const card = echoCard();
    const { term } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock(), sim: card });
    await term.at('ATE0');
    expect(await term.at('AT+CCHO=?')).toEqual(['OK']);
    expect(await term.at(`AT+CCHO="${ISD_R}"`)).toEqual(['+CCHO: 1', 'OK']);
    expect(await term.at('AT+CGLA=1,14,"81E2910003BF2D00"')).toEqual(['+CME ERROR: 50']);
    expect(await term.at('AT+CGLA=1,16,"81E2910003BF2D00"')).toEqual(['+CGLA: 10,"BF2D009000"', 'OK']);
    expect(card.log).toEqual([[1, '81E2910003BF2D00']]);
    expect(await term.at('AT+CCHC=1')).toEqual(['OK']);
    expect(await term.at('AT+CCHC=1')).toEqual(['+CME ERROR: 50']);
  });

  it('a plain SIM has no ISD-R; every dialect answers the 27.007 forms; module quirks are opt-in', async () => {
    const plain = await bootedModem({ dialect: 'generic', clock: new VirtualClock() });
    await plain.term.at('ATE0;+CMEE=1');
    expect(await plain.term.at(`AT+CCHO="${ISD_R}"`)).toEqual(['+CME ERROR: 3']);
    const generic = await bootedModem({ dialect: 'generic', clock: new VirtualClock(), sim: echoCard() });
    await generic.term.at('ATE0');
    // 27.007 §8.45 / §8.43 forms, the ones lpac's AT backend reads ("+CCHO: ", "+CGLA: ").
    expect(await generic.term.at(`AT+CCHO="${ISD_R}"`)).toEqual(['+CCHO: 1', 'OK']);
    const simcom = await bootedModem({ dialect: 'sim7080', clock: new VirtualClock(), sim: echoCard() });
    await simcom.term.at('ATE0');
    expect(await simcom.term.at(`AT+CCHO="${ISD_R}"`)).toEqual(['+CCHO: 1', 'OK']);
    expect(await simcom.term.at('AT+CGLA=1,12,"81CA00000101"')).toEqual(['+CGLA: 6,"019000"', 'OK']);
    // Fibocom FM350-GL (lpac #179) and Sierra EM7590 (lpac #138) deviations, as quirks.
    simcom.modem.quirks.cchoBare = true;
    expect(await simcom.term.at(`AT+CCHO="${ISD_R}"`)).toEqual(['2', 'OK']);
    simcom.modem.quirks.cchoBare = false;
    simcom.modem.quirks.cchoSessionHandle = true;
    expect(await simcom.term.at(`AT+CCHO="${ISD_R}"`)).toEqual(['+CCHO: 00000000038AA303', 'OK']);
    expect(await simcom.term.at('AT+CGLA=00000000038AA303,12,"81CA00000101"')).toEqual(['+CGLA: 6,"019000"', 'OK']);
    expect(await simcom.term.at('AT+CCHC=00000000038AA303')).toEqual(['OK']);
  });

  it('AT+CSIM: MANAGE CHANNEL, SELECT by AID, APDUs on the channel, close', async () => {
    const card = echoCard();
    const { term } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock(), sim: card });
    await term.at('ATE0');
    expect(await term.at('AT+CSIM=10,"0070000001"')).toEqual(['+CSIM: 6,"019000"', 'OK']);
    expect(await term.at(`AT+CSIM=42,"01A4040010${ISD_R}"`)).toEqual(['+CSIM: 4,"9000"', 'OK']);
    expect(await term.at('AT+CSIM=12,"81CA00000142"')).toEqual(['+CSIM: 6,"429000"', 'OK']);
    expect(await term.at('AT+CSIM=10,"0070800100"')).toEqual(['+CSIM: 4,"9000"', 'OK']);
    expect(await term.at('AT+CSIM=12,"81CA00000142"')).toEqual(['+CSIM: 4,"6881"', 'OK']);
  });

  it('never crashes and always ends a command, whatever bytes arrive', async () => {
    const { term, modem } = await bootedModem({ dialect: 'bg96', clock: new VirtualClock() });
    await term.at('ATE0');
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        modem.write(bytes);
        modem.write('\r');
        await term.run(100);
        expect(await term.at('AT')).toContain('OK');
      }),
      { numRuns: 150 },
    );
  });
});
