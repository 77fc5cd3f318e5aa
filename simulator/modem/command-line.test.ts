import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, splitArgs } from './command-line.js';

describe('command line parsing (V.250)', () => {
  it.each([
    ['AT', []],
    ['ATE0', [{ name: 'E', form: 'set', args: ['0'] }]],
    ['ate0v1', [{ name: 'E', form: 'set', args: ['0'] }, { name: 'V', form: 'set', args: ['1'] }]],
    ['AT+CEREG?', [{ name: '+CEREG', form: 'read', args: [] }]],
    ['AT+CEREG=?', [{ name: '+CEREG', form: 'test', args: [] }]],
    ['AT+CGDCONT=1,"IP","a,b"', [{ name: '+CGDCONT', form: 'set', args: ['1', 'IP', 'a,b'] }]],
    ['AT+CMEE=2;+CEREG=2', [{ name: '+CMEE', form: 'set', args: ['2'] }, { name: '+CEREG', form: 'set', args: ['2'] }]],
    ['ATE0+CMEE=2', [{ name: 'E', form: 'set', args: ['0'] }, { name: '+CMEE', form: 'set', args: ['2'] }]],
    ['AT+QCFG="iotopmode",0,1', [{ name: '+QCFG', form: 'set', args: ['iotopmode', '0', '1'] }]],
  ])('%s', (line, expected) => {
    const result = parseCommandLine(line);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.commands).toMatchObject(expected);
  });

  it('keeps empty positions apart from empty strings', () => {
    expect(splitArgs('1,,""')).toEqual(['1', undefined, '']);
  });

  it('rejects what is not an AT command, and never throws', () => {
    expect(parseCommandLine('hello').ok).toBe(false);
    expect(parseCommandLine('AT+').ok).toBe(true);
    expect(parseCommandLine('AT+CSQ!').ok).toBe(false);
    fc.assert(fc.property(fc.string(), (s) => void parseCommandLine(`AT${s}`)));
  });
});
