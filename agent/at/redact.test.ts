import { describe, expect, it } from 'vitest';
import { redactCommand, redactLine } from './redact.js';

describe('redactCommand', () => {
  it('drops the arguments of credential commands and keeps everything else', () => {
    expect(redactCommand('AT+QICSGP=1,1,"soracom.io","sora","pw-123",2')).toBe('AT+QICSGP=<redacted>');
    expect(redactCommand('AT+CNCFG=0,1,"apn","u","pw-123",2')).toBe('AT+CNCFG=<redacted>');
    expect(redactCommand('AT+CGDCONT=1,"IP","soracom.io"')).toBe('AT+CGDCONT=1,"IP","soracom.io"');
    expect(redactCommand('AT+CGDCONT=1,"IP","x"', true)).toBe('AT+CGDCONT=<redacted>');
  });
});

describe('redactLine', () => {
  it('redacts a late echo of a credential command and answers that read credentials back', () => {
    expect(redactLine('AT+CGAUTH=1,2,"sora","pw-123"')).toBe('AT+CGAUTH=<redacted>');
    expect(redactLine('+QICSGP: 1,"soracom.io","sora","pw-123",2')).toBe('+QICSGP: <redacted>');
    expect(redactLine('+CGAUTH: 1,2,"sora","pw-123"')).toBe('+CGAUTH: <redacted>');
    expect(redactLine('+CNCFG: 0,1,"apn","u","pw-123",2')).toBe('+CNCFG: <redacted>');
  });

  it('leaves ordinary lines alone', () => {
    expect(redactLine('+CEREG: 1,5')).toBe('+CEREG: 1,5');
    expect(redactLine('+CGDCONT: 1,"IP","soracom.io"')).toBe('+CGDCONT: 1,"IP","soracom.io"');
    expect(redactLine('AT+CSQ')).toBe('AT+CSQ');
  });
});
