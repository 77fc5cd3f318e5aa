import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCommandLine } from './command-line.js';

const options = { port: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

describe('parseCommandLine', () => {
  afterEach(() => vi.restoreAllMocks());

  it('returns the parsed flags and positionals', () => {
    const parsed = parseCommandLine('cellgate x', 'usage: x', { args: ['--port', '/dev/ttyUSB2', '--json', 'list'], options, allowPositionals: true });
    expect(parsed).toMatchObject({ values: { port: '/dev/ttyUSB2', json: true }, positionals: ['list'] });
  });

  it('names the command and the problem, prints the usage and gives exit 2 for a bad flag', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(parseCommandLine('cellgate x', 'usage: x', { args: ['--nope'], options })).toEqual({ exit: 2 });
    expect(errors.mock.calls[0]![0]).toMatch(/^cellgate x: .*--nope[\s\S]*usage: x$/);
  });

  it('prints the usage and gives exit 0 for --help and -h', () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(parseCommandLine('cellgate x', 'usage: x', { args: ['--help'], options })).toEqual({ exit: 0 });
    expect(parseCommandLine('cellgate x', 'usage: x', { args: ['-h'], options })).toEqual({ exit: 0 });
    expect(out).toHaveBeenCalledWith('usage: x');
  });
});

describe('--version', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the package version and gives exit 0 for any command', () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(parseCommandLine('cellgate x', 'usage: x', { args: ['--version'], options })).toEqual({ exit: 0 });
    expect(out).toHaveBeenCalledWith(expect.stringMatching(/^cellgate \d+\.\d+\.\d+/));
  });

  it('is not among the parsed flags otherwise', () => {
    const parsed = parseCommandLine('cellgate x', 'usage: x', { args: ['--json'], options });
    expect('values' in parsed && 'version' in parsed.values).toBe(false);
  });
});
