import { useState } from 'preact/hooks';
import { formatTime } from '../api.js';
import { Field, OutcomeText, Section, useAction, useConsole, type ClockState } from '../ui.js';

const STEPS = [
  { label: '+1 hour', ms: 3_600_000 },
  { label: '+1 day', ms: 86_400_000 },
  { label: '+7 days', ms: 7 * 86_400_000 },
  { label: '+30 days', ms: 30 * 86_400_000 },
];

/**
 * The platform's virtual clock (`/_cellgate/clock`, root only): moving it runs every job that
 * falls due on the way (expiries, month close, payment retries, transfers) before answering.
 */
export function ClockPage() {
  const { api, clock, setClock } = useConsole();
  const action = useAction();
  const [to, setTo] = useState('');
  const move = (what: string, body: { advance: number } | { to: number }): void => {
    void action.run(what, async () => setClock(await api.post<ClockState>('/_cellgate/clock', body)));
  };
  return (
    <>
      <h1>Clock</h1>
      <Section title="Platform time">
        <p class="total" aria-live="polite">
          {clock ? formatTime(clock.now) : '—'} <span class="muted">(virtual: moves only when told)</span>
        </p>
        <OutcomeText outcome={action.outcome} />
        <div class="buttons" role="group" aria-label="Move the clock forward">
          {STEPS.map((s) => (
            <button key={s.label} type="button" disabled={action.busy} onClick={() => move(`Clock moved ${s.label}`, { advance: s.ms })}>
              {s.label}
            </button>
          ))}
        </div>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            move(`Clock moved to ${to} UTC`, { to: Date.parse(`${to}:00Z`) });
          }}
        >
          <Field label="Move to (UTC)" id="clock-to">
            <input id="clock-to" type="datetime-local" required value={to} onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <button type="submit" disabled={action.busy}>
            Move clock
          </button>
        </form>
      </Section>
    </>
  );
}
