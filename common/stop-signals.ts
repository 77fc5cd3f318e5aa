/**
 * How every long-running `cellgate` command stops, so none can hang a terminal or a service
 * manager: the first SIGINT or SIGTERM asks for a clean stop (`requested` resolves); when the stop
 * has not finished within `boundMs`, one line says so and the process exits 1; a second signal
 * exits at once (128 + the signal number, as a shell reports it).
 *
 * The handlers are installed at once, before anything slow starts, so a signal during start-up
 * is never lost or ignored: the command sees `requested` and unwinds what it started.
 */
export interface StopSignals {
  /** Resolves with the first SIGINT / SIGTERM. */
  readonly requested: Promise<NodeJS.Signals>;
  /** The first signal, once one came. */
  readonly signal: NodeJS.Signals | undefined;
  /** Removes the handlers and the stop bound (the command stopped). */
  dispose(): void;
}

export interface StopSignalOptions {
  /** `cellgate up`, … — the start of the one line printed when the bound is hit. */
  command: string;
  /** How long a clean stop may take once asked for. */
  boundMs: number;
  /** Where that line goes; stderr by default. */
  write?: (line: string) => void;
  /** How the process ends when the bound is hit or on a second signal; `process.exit` by default. */
  exit?: (code: number) => void;
  /** The process to watch (tests pass an emitter). */
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

export function watchStopSignals(options: StopSignalOptions): StopSignals {
  const target = options.target ?? process;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let first: NodeJS.Signals | undefined;
  let bound: ReturnType<typeof setTimeout> | undefined;
  let resolveRequested: (signal: NodeJS.Signals) => void = () => undefined;
  const requested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));

  const onSignal = (signal: NodeJS.Signals): void => {
    if (first) {
      write(`${options.command}: ${signal} again: exiting now, without a clean stop`);
      exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      return;
    }
    first = signal;
    // A wall-clock bound on purpose: it guards the process, not a rule (and a virtual clock
    // would never fire on its own).
    bound = setTimeout(() => {
      write(`${options.command}: did not stop within ${Math.round(options.boundMs / 1000)} s after ${signal}; exiting`);
      exit(1);
    }, options.boundMs);
    // The bound never keeps a process alive that has otherwise finished.
    bound.unref();
    resolveRequested(signal);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  target.on('SIGINT', onInt);
  target.on('SIGTERM', onTerm);
  return {
    requested,
    get signal() {
      return first;
    },
    dispose() {
      target.off('SIGINT', onInt);
      target.off('SIGTERM', onTerm);
      if (bound) clearTimeout(bound);
    },
  };
}

/**
 * Runs `work`, but gives up waiting after `ms`: resolves `true` when it finished (or failed) in
 * time, `false` when it did not. For releasing resources after a failed start-up, where waiting
 * forever on one stuck close would hang the process.
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
