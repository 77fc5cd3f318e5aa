import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { describeError, type Api, type Session } from './api.js';
import type { Offered } from './allowed.js';
import type { LiveEvents } from './live.js';

export interface ClockJob {
  job: string;
  due: number;
  ranAt?: number;
  outcome?: string;
  summary?: string;
}

/** `GET /_cellgate/clock` (and the `POST` answer, which adds what ran). */
export interface ClockState {
  now: number;
  iso: string;
  nextJobs?: ClockJob[];
  ran?: ClockJob[];
  ranCount?: number;
}

export interface ConsoleContext {
  api: Api;
  session: Session;
  live: LiveEvents;
  isRoot: boolean;
  /** May this user make the API call behind a control? (Root: always; SAM: its permission.) */
  can(what: Offered): boolean;
  /** The platform's virtual clock, or null when it runs on real time (or the user may not see it). */
  clock: ClockState | null;
  setClock(clock: ClockState | null): void;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const ctx = useContext(Console);
  if (!ctx) throw new Error('useConsole outside the console');
  return ctx;
}

/** Loads data once (and on `reload`); errors come back in words. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: string | null; loading: boolean; reload: () => void; setData: (update: (current: T | undefined) => T | undefined) => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!current) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(describeError(e));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData: (update) => setData((current) => update(current)) };
}

/**
 * Runs one user action and keeps its outcome to show: the platform's refusal in words, or what
 * was done. `busy` disables the buttons meanwhile.
 */
export function useAction(): { run: (what: string, fn: () => Promise<unknown>) => Promise<boolean>; busy: boolean; outcome: Outcome | null; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = useCallback(async (what: string, fn: () => Promise<unknown>) => {
    setBusy(true);
    setOutcome(null);
    try {
      await fn();
      setOutcome({ ok: true, text: what });
      return true;
    } catch (e) {
      setOutcome({ ok: false, text: `${what} refused: ${describeError(e)}` });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, outcome, clear: () => setOutcome(null) };
}

export interface Outcome {
  ok: boolean;
  text: string;
}

export function OutcomeText({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  return outcome.ok ? (
    <p class="notice ok" role="status">
      {outcome.text}
    </p>
  ) : (
    <p class="notice error" role="alert">
      {outcome.text}
    </p>
  );
}

export function ErrorText({ error }: { error: string | null }) {
  return error ? (
    <p class="notice error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const headingId = `h-${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={headingId} class="card">
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** A label and its control, joined by `for`/`id` so screen readers and tests find it by name. */
export function Field({ label, id, children, hint }: { label: string; id: string; children: ComponentChildren; hint?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint ? <small class="muted">{hint}</small> : null}
    </div>
  );
}

export function OnlineBadge({ online }: { online: boolean }) {
  return <span class={`badge ${online ? 'online' : 'offline'}`}>{online ? 'Online' : 'Offline'}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status}</span>;
}
