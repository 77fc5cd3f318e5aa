import { describe, expect, it } from 'vitest';
import { command, linesWithPrefix, parseInfoArgs } from './command-helpers.js';
import { AtParseError } from './errors.js';
import { redactCommand } from './redact.js';

describe('parseInfoArgs', () => {
  it('splits fields honouring quotes and keeps empty ones', () => {
    expect(parseInfoArgs('+X: a,"b,c",3', '+X')).toEqual(['a', 'b,c', '3']);
    expect(parseInfoArgs('+CEREG: 2,1,,', '+CEREG')).toEqual(['2', '1', '', '']);
    expect(parseInfoArgs('+COPS: 0,0,"NTT DOCOMO",7', '+COPS:')).toEqual(['0', '0', 'NTT DOCOMO', '7']);
    expect(parseInfoArgs('+CGLA:4,"9000"', '+CGLA')).toEqual(['4', '9000']);
    expect(parseInfoArgs('RDY', 'RDY')).toEqual([]);
  });

  it('rejects a line without the prefix or with an open quote', () => {
    expect(() => parseInfoArgs('+CSQ: 1,2', '+CEREG')).toThrow(AtParseError);
    expect(() => parseInfoArgs('+X: "abc', '+X')).toThrow(/unterminated quote/);
  });
});

describe('command helpers', () => {
  it('builds commands and filters lines', () => {
    const c = command('AT+CSQ', (r) => linesWithPrefix(r, '+CSQ').length, 300);
    expect(c.timeoutMs).toBe(300);
    expect(c.parse({ lines: ['+CSQ: 1,2', 'other'], final: { kind: 'ok' } })).toBe(1);
  });

  it('redacts credential commands only', () => {
    expect(redactCommand('AT+QICSGP=1,1,"soracom.io","sora","sora",1')).toBe('AT+QICSGP=<redacted>');
    expect(redactCommand('AT+CPIN="1234"')).toBe('AT+CPIN=<redacted>');
    expect(redactCommand('AT+CPIN?')).toBe('AT+CPIN?');
    expect(redactCommand('AT+CGDCONT=1,"IP","soracom.io"')).toBe('AT+CGDCONT=1,"IP","soracom.io"');
    expect(redactCommand('AT+FOO=1', true)).toBe('AT+FOO=<redacted>');
  });
});
