/**
 * `+CGEV` lines captured from real modules, each with its source (see registration.test.ts for the
 * notation). `loss` is what the agent must conclude for its own context 1.
 */
import { describe, expect, it } from 'vitest';
import { isSessionLoss, parseCgev, type PacketEvent } from './packet-events.js';

type Row = [source: string, text: string, expected: Partial<PacketEvent>, loss: boolean];

const MM = 'MM cgev_indication_tests (src/tests/test-modem-helpers.c)';

const rows: Row[] = [
  // ModemManager's table lists each event with and without the `+CGEV: ` prefix; the agent gets
  // the text after the colon, so both spellings come down to one row here.
  [MM, 'REJECT IP, 123.123.123.123', { kind: 'reject', pdpType: 'IP', address: '123.123.123.123' }, false],
  [MM, 'NW REACT IP, 123.123.123.123', { kind: 'nw-react', pdpType: 'IP', address: '123.123.123.123' }, false],
  [MM, 'NW REACT IP, 123.123.123.123, 1', { kind: 'nw-react', cid: 1 }, false],
  [MM, 'NW DEACT IP, 123.123.123.123, 1', { kind: 'nw-deact', pdpType: 'IP', address: '123.123.123.123', cid: 1 }, true],
  // No context id: ours unless the address says otherwise (see the address rows below).
  [MM, 'NW DEACT IP, 123.123.123.123', { kind: 'nw-deact', pdpType: 'IP', address: '123.123.123.123' }, true],
  [MM, 'ME DEACT IP, 123.123.123.123, 1', { kind: 'me-deact', cid: 1 }, true],
  [MM, 'ME DEACT IP, 123.123.123.123', { kind: 'me-deact', address: '123.123.123.123' }, true],
  [MM, 'ME PDN ACT 2', { kind: 'me-pdn-act', cid: 2 }, false],
  [MM, 'ME PDN ACT 2, 3', { kind: 'me-pdn-act', cid: 2 }, false],
  [MM, 'ME PDN ACT 2, 3, 4', { kind: 'me-pdn-act', cid: 2 }, false],
  // A PDN deactivation naming another context is not ours.
  [MM, 'ME PDN DEACT 2', { kind: 'me-pdn-deact', cid: 2 }, false],
  // Secondary forms `<p_cid>,<cid>,<event_type>`: context 2 is a dedicated bearer of context 3.
  [MM, 'ME ACT 3, 2, 1', { kind: 'me-act', secondary: true, parentCid: 3, cid: 2, eventType: 1 }, false],
  [MM, 'ME DEACT 3, 2, 1', { kind: 'me-deact', secondary: true, parentCid: 3, cid: 2, eventType: 1 }, false],
  [MM, 'NW PDN ACT 2', { kind: 'nw-pdn-act', cid: 2 }, false],
  [MM, 'NW PDN DEACT 2', { kind: 'nw-pdn-deact', cid: 2 }, false],
  [MM, 'NW ACT 3, 2, 1', { kind: 'nw-act', secondary: true, parentCid: 3, cid: 2 }, false],
  // Was misread before: the third field of the secondary form is <event_type>, not a context id.
  [MM, 'NW DEACT 3, 2, 1', { kind: 'nw-deact', secondary: true, parentCid: 3, cid: 2, eventType: 1 }, false],
  [MM, 'NW DETACH', { kind: 'nw-detach' }, true],
  [MM, 'ME DETACH', { kind: 'me-detach' }, true],
  [MM, 'NW CLASS A', { kind: 'nw-class', mobileClass: 'A' }, false],
  [MM, 'ME CLASS A', { kind: 'me-class', mobileClass: 'A' }, false],

  // u-blox SARA bench logs (FactbirdHQ/ublox-cellular-rs:documentation/at_logs/*.md).
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'ME DETACH', { kind: 'me-detach' }, true],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'ME CLASS "B"', { kind: 'me-class', mobileClass: 'B' }, false],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'NW CLASS "A"', { kind: 'nw-class', mobileClass: 'A' }, false],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'ME PDN ACT 1', { kind: 'me-pdn-act', cid: 1 }, false],
  ['FactbirdHQ/ublox-cellular-rs:documentation/at_logs/startup.md', 'ME PDN DEACT 1', { kind: 'me-pdn-deact', cid: 1 }, true],

  // SIMCom SIM7600.
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#110 (SIM7600)', 'NW PDN DEACT 1', { kind: 'nw-pdn-deact', cid: 1 }, true],
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#110 (SIM7600)', 'ME DETACH', { kind: 'me-detach' }, true],
  ['Xinyuan-LilyGO/LilyGo-Modem-Series#110 (SIM7600)', 'EPS PDN ACT 1', { kind: 'eps-pdn-act', cid: 1 }, false],
  ['Xinyuan-LilyGO/T-SIM7600X#111 (SIM7600)', 'ME PDN DEACT 1', { kind: 'me-pdn-deact', cid: 1 }, true],
];

describe('+CGEV lines from real modules', () => {
  it.each(rows)('%s: %s', (_source, text, expected, loss) => {
    const event = parseCgev(text);
    expect(event).toMatchObject({ text, ...expected });
    expect(isSessionLoss(event, 1)).toBe(loss);
  });

  it('secondary events are about the dedicated context, never the parent', () => {
    // A dedicated bearer (cid 2) of our context 1 going away leaves our session up.
    expect(isSessionLoss(parseCgev('NW DEACT 1, 2, 0'), 1)).toBe(false);
    // Our own context named as the deactivated one is a loss.
    expect(isSessionLoss(parseCgev('NW DEACT 3, 1, 0'), 1)).toBe(true);
  });

  it('a PDP-form deactivation without a context id is matched on our address when known', () => {
    const event = parseCgev('NW DEACT IP, 123.123.123.123');
    expect(isSessionLoss(event, 1, '10.0.0.7')).toBe(false);
    expect(isSessionLoss(event, 1, '123.123.123.123')).toBe(true);
  });

  it('quoted PDP types, loose spacing and lower case', () => {
    expect(parseCgev('nw  pdn  deact 1')).toMatchObject({ kind: 'nw-pdn-deact', cid: 1 });
    expect(parseCgev('NW DEACT "IPV4V6","10.0.0.1",1')).toMatchObject({ kind: 'nw-deact', pdpType: 'IPV4V6', cid: 1 });
    expect(parseCgev('NW MODIFY 1,2,0')).toMatchObject({ kind: 'nw-modify', cid: 1, eventType: 0 });
    expect(isSessionLoss(parseCgev('NW MODIFY 1,2,0'), 1)).toBe(false);
    expect(parseCgev('SOMETHING NEW 7')).toMatchObject({ kind: 'other' });
  });
});
