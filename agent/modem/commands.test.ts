import { describe, expect, it } from 'vitest';
import type { AtResponse } from '../at/types.js';
import { at } from './commands.js';

const answer = (...lines: string[]): AtResponse => ({ lines, final: { kind: 'ok' } });

describe('AT+CEREG? (at.registration)', () => {
  const command = at.registration();

  it('reads the read form', () => {
    expect(command.parse(answer('+CEREG: 3,1,"1A2B","01A2D101",7'))).toMatchObject({ stat: 1 });
    expect(command.parse(answer('+CEREG: 3,2'))).toMatchObject({ stat: 2 });
  });

  it('takes a +CEREG URC that arrived after the read line as the freshest state', () => {
    // Just after AT+CFUN=1 the module reports "searching", then registers before the OK.
    const response = answer('+CEREG: 3,2', '+CEREG: 1,"1A2B","01A2D101",7');
    expect(command.parse(response)).toMatchObject({ stat: 1 });
  });

  it('reads a URC that arrived before the read line without misreading it as the read form', () => {
    const response = answer('+CEREG: 2', '+CEREG: 3,1,"1A2B","01A2D101",7');
    expect(command.parse(response)).toMatchObject({ stat: 1 });
  });

  it('refuses an answer without a +CEREG line', () => {
    expect(() => command.parse(answer('garbage'))).toThrow(/\+CEREG/);
  });
});
