import { useState } from 'preact/hooks';
import { formatTime } from '../api.js';
import { Field, OutcomeText, Section, useAction, useConsole, type ClockJob, type ClockState } from '../ui.js';

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
  const [ran, setRan] = useState<{ jobs: ClockJob[]; count: number } | null>(null);
  const move = (what: string, body: { advance: number } | { to: number }): void => {
    void action.run(what, async () => {
      const moved = await api.post<ClockState>('/_cellgate/clock', body);
      setClock(moved);
      setRan({ jobs: moved.ran ?? [], count: moved.ranCount ?? 0 });
    });
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
      {ran ? (
        <Section title="What ran on the way">
          {ran.count === 0 ? <p>No job fell due.</p> : null}
          <JobTable jobs={ran.jobs} label="Jobs that ran" />
          {ran.count > ran.jobs.length ? <p class="muted">… and {ran.count - ran.jobs.length} more.</p> : null}
        </Section>
      ) : null}
      <Section title="Next jobs">
        {clock?.nextJobs?.length ? <JobTable jobs={clock.nextJobs} label="Next jobs" /> : <p>No job is waiting.</p>}
      </Section>
    </>
  );
}

function JobTable({ jobs, label }: { jobs: ClockJob[]; label: string }) {
  if (jobs.length === 0) return null;
  return (
    <table class="grid" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Due</th>
          <th scope="col">Job</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((j, i) => (
          <tr key={i}>
            <td>{formatTime(j.due)}</td>
            <td>{j.job}</td>
            <td>{j.outcome ? `${j.outcome}${j.summary ? `: ${j.summary}` : ''}` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
