import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../common/clock.js';
import { silentLogger } from '../../common/log.js';
import { classifyOpenError } from '../at/port-diagnosis.js';
import type { AtChannel } from '../at/types.js';
import { Counters } from './counters.js';
import { ModemPort } from './modem-port.js';
import { defaultSessionTimings } from './session-config.js';
import type { PortProblem } from './session-status.js';
import { StepFailure } from './step-failure.js';

const errno = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** A port whose opens fail with `errors` in turn (then succeed), diagnosed by kind alone. */
function portFailing(errors: Error[]) {
  const clock = new VirtualClock();
  const problems: Array<PortProblem | undefined> = [];
  const counters = new Counters();
  let opens = 0;
  const port = new ModemPort({
    openChannel: async () => {
      opens++;
      const error = errors.shift();
      if (error) throw error;
      return { isOpen: true, close: async () => undefined, onClose: () => () => undefined } as unknown as AtChannel;
    },
    timings: () => defaultSessionTimings,
    events: { opened: () => [], closed: () => undefined },
    clock,
    logger: silentLogger(),
    counters,
    diagnose: async (error) => {
      if (error === undefined) return undefined;
      const kind = classifyOpenError(error);
      return kind === 'ok' ? undefined : { kind, message: `${kind}: ${(error as Error).message}`, hint: `fix ${kind}` };
    },
    onProblem: (problem) => problems.push(problem),
  });
  return { port, clock, problems, counters, opens: () => opens };
}

describe('ModemPort.open reports what is wrong with the port', () => {
  it('a permission problem fails the attempt at once (the session backs off), reported with its hint', async () => {
    const { port, problems, counters, opens } = portFailing([errno('EACCES', 'Permission denied, cannot open /dev/ttyUSB2')]);
    const failure = await port.open(new AbortController().signal).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as StepFailure).failure).toMatchObject({ step: 'open-port', reason: expect.stringMatching(/permission-denied.*fix permission-denied/) });
    expect(opens()).toBe(1);
    expect(problems).toEqual([{ kind: 'permission-denied', message: expect.any(String), hint: 'fix permission-denied' }]);
    expect(counters.get('port_permission_denied')).toBe(1);
  });

  it('a missing device is reported on the first failed open, then waited for; the problem clears once it opens', async () => {
    const missing = () => errno('ENOENT', 'No such file or directory, cannot open /dev/ttyUSB2');
    const { port, clock, problems, opens } = portFailing([missing(), missing(), missing()]);
    const opened = port.open(new AbortController().signal);
    // Reported before any time passed: not after the 60 s the open may wait for the device.
    await expect.poll(() => problems.length).toBe(1);
    expect(problems[0]).toMatchObject({ kind: 'missing' });
    await clock.advance(defaultSessionTimings.portRetryMs * 3);
    await opened;
    expect(opens()).toBe(4);
    // The same problem is reported once, not once per retry; a clean open clears it.
    await expect.poll(() => problems.at(-1)).toBeUndefined();
    expect(problems.filter(Boolean)).toHaveLength(1);
  });
});
