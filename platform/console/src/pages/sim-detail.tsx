import { useEffect, useState } from 'preact/hooks';
import { formatTime } from '../api.js';
import { href } from '../router.js';
import { ErrorText, Field, Loading, OnlineBadge, OutcomeText, Section, StatusBadge, useAction, useConsole, useLoad } from '../ui.js';
import type { Group, SessionEvent, StatusChange, Subscriber } from '../types.js';
import { SPEED_CLASSES, imeiOf } from './sims.js';
import type { Offered } from '../allowed.js';

const STATUS_ACTIONS = [
  { label: 'Activate', path: 'activate', offer: 'activate' },
  { label: 'Deactivate', path: 'deactivate', offer: 'deactivate' },
  { label: 'Standby', path: 'set_to_standby', offer: 'standby' },
  { label: 'Suspend', path: 'suspend', offer: 'suspend' },
  { label: 'Terminate', path: 'terminate', offer: 'terminate' },
] as const;
const SIM_ACTIONS: Offered[] = ['activate', 'deactivate', 'standby', 'suspend', 'terminate', 'enableTermination', 'disableTermination', 'deleteSession', 'speedClass', 'setGroup', 'setExpiry'];
const EXPIRY_ACTIONS = ['doNothing', 'deleteSession', 'deactivate', 'suspend', 'terminate'];

/**
 * One SIM: its fields, status history, session events and every operator action. The console
 * does not guess the status rules: it sends the action and shows the platform's refusal in words.
 */
export function SimDetailPage({ imsi }: { imsi: string }) {
  const { api, live, can } = useConsole();
  const base = `/v1/subscribers/${encodeURIComponent(imsi)}`;
  const sim = useLoad(() => api.get<Subscriber>(base), [imsi]);
  const history = useLoad(() => api.get<StatusChange[]>(`/_cellgate/subscribers/${encodeURIComponent(imsi)}/status_history`), [imsi]);
  const sessions = useLoad(() => api.get<SessionEvent[]>(`${base}/events/sessions`, { limit: 20 }), [imsi]);
  // The group's name (its `name` tag, as the SIM list shows it); its id when it has none or the
  // user may not read groups.
  const groupId = sim.data?.groupId;
  const group = useLoad(() => (groupId ? api.get<Group>(`/v1/groups/${encodeURIComponent(groupId)}`).catch(() => null) : Promise.resolve(null)), [groupId]);
  const action = useAction();

  useEffect(
    () =>
      live.on((e) => {
        if (e.kind !== 'sim' || e.imsi !== imsi) return;
        sim.reload();
        if (e.status) history.reload();
        if (e.sessionEvent) sessions.reload();
      }),
    [live, imsi],
  );

  const act = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    await action.run(what, fn);
    sim.reload();
    history.reload();
    sessions.reload();
  };

  if (sim.error && !sim.data) {
    return (
      <>
        <h1>SIM {imsi}</h1>
        <ErrorText error={sim.error} />
        <a href={href('sims')}>Back to SIMs</a>
      </>
    );
  }
  if (!sim.data) return <Loading what={`SIM ${imsi}`} />;
  const s = sim.data;
  const online = Boolean(s.sessionStatus?.online);
  return (
    <>
      <p>
        <a href={href('sims')}>← SIMs</a>
      </p>
      <h1>
        SIM {s.imsi} {s.tags.name ? `· ${s.tags.name}` : ''}
      </h1>
      <OutcomeText outcome={action.outcome} />
      <div class="columns">
        <Section title="Overview">
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={s.status} />
            </dd>
            <dt>Session</dt>
            <dd>
              <OnlineBadge online={online} /> {online && s.sessionStatus?.ueIpAddress ? s.sessionStatus.ueIpAddress : ''}
            </dd>
            <dt>Plan</dt>
            <dd>{s.subscription}</dd>
            <dt>Speed class</dt>
            <dd>{s.speedClass}</dd>
            <dt>Group</dt>
            <dd>{s.groupId ? <span title={`group ${s.groupId}`}>{group.data?.groupId === s.groupId && group.data.tags?.name ? group.data.tags.name : s.groupId}</span> : 'none'}</dd>
            <dt>IMEI</dt>
            <dd>{imeiOf(s) || '—'}</dd>
            <dt>IMEI lock</dt>
            <dd>{s.imeiLock?.imei ?? 'off'}</dd>
            <dt>ICCID</dt>
            <dd>{s.iccid}</dd>
            <dt>MSISDN</dt>
            <dd>{s.msisdn}</dd>
            <dt>Termination protection</dt>
            <dd>{s.terminationEnabled ? 'off (can be terminated)' : 'on'}</dd>
            <dt>Expiry</dt>
            <dd>{s.expiryTime ? `${formatTime(s.expiryTime)} → ${s.expiryAction ?? 'doNothing'}` : 'none'}</dd>
          </dl>
        </Section>
        <Section title="Actions">
          <div class="buttons" role="group" aria-label="Status">
            {STATUS_ACTIONS.filter((a) => can(a.offer)).map((a) => (
              <button
                key={a.path}
                type="button"
                disabled={action.busy}
                onClick={() => {
                  if (a.path === 'terminate' && !confirm(`Terminate SIM ${s.imsi}? Termination is final.`)) return;
                  void act(a.label, () => api.post(`${base}/${a.path}`));
                }}
              >
                {a.label}
              </button>
            ))}
          </div>
          <div class="buttons">
            {can(s.terminationEnabled ? 'disableTermination' : 'enableTermination') ? (
              <button type="button" disabled={action.busy} onClick={() => void act(s.terminationEnabled ? 'Protect from termination' : 'Allow termination', () => api.post(`${base}/${s.terminationEnabled ? 'disable_termination' : 'enable_termination'}`))}>
                {s.terminationEnabled ? 'Protect from termination' : 'Allow termination'}
              </button>
            ) : null}
            {can('deleteSession') ? (
              <button type="button" disabled={action.busy} onClick={() => void act('Delete session', () => api.post(`${base}/delete_session`))}>
                Delete session
              </button>
            ) : null}
          </div>
          {can('speedClass') ? <SpeedClassForm sim={s} busy={action.busy} act={act} base={base} /> : null}
          {can('setGroup') ? <GroupForm sim={s} busy={action.busy} act={act} base={base} /> : null}
          {can('setExpiry') ? <ExpiryForm sim={s} busy={action.busy} act={act} base={base} /> : null}
          {!SIM_ACTIONS.some(can) ? (
            <p class="muted">Your permission allows no action on this SIM.</p>
          ) : null}
        </Section>
      </div>
      <TagsSection sim={s} busy={action.busy} act={act} base={base} />
      <Section title="Status history">
        <ErrorText error={history.error} />
        {history.data ? (
          <table class="grid" aria-label="Status history">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Cause</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((h, i) => (
                <tr key={i}>
                  <td>{formatTime(h.at)}</td>
                  <td>{h.fromStatus ?? '—'}</td>
                  <td>{h.toStatus}</td>
                  <td>{h.cause}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Session events">
        <ErrorText error={sessions.error} />
        {sessions.data?.length === 0 ? <p>No session yet.</p> : null}
        {sessions.data?.length ? (
          <table class="grid" aria-label="Session events">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">IMEI</th>
                <th scope="col">APN</th>
                <th scope="col">Address</th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((e, i) => (
                <tr key={i}>
                  <td>{formatTime(e.time)}</td>
                  <td>{e.event}</td>
                  <td>{e.imei ?? ''}</td>
                  <td>{e.apn ?? ''}</td>
                  <td>{e.ueIpAddress ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </>
  );
}

interface FormProps {
  sim: Subscriber;
  busy: boolean;
  base: string;
  act: (what: string, fn: () => Promise<unknown>) => Promise<void>;
}

function SpeedClassForm({ sim, busy, base, act }: FormProps) {
  const { api } = useConsole();
  const [speed, setSpeed] = useState(sim.speedClass);
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void act(`Change speed class to ${speed}`, () => api.post(`${base}/update_speed_class`, { speedClass: speed }));
      }}
    >
      <Field label="Speed class" id="sim-speed">
        <select id="sim-speed" value={speed} onChange={(e) => setSpeed((e.currentTarget as HTMLSelectElement).value)}>
          {SPEED_CLASSES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={busy}>
        Change speed class
      </button>
    </form>
  );
}

function GroupForm({ sim, busy, base, act }: FormProps) {
  const { api } = useConsole();
  const groups = useLoad(() => api.get<Group[]>('/v1/groups', { limit: 100 }), []);
  const [groupId, setGroupId] = useState(sim.groupId ?? '');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void act(groupId ? `Set group ${groupId}` : 'Remove from group', () => (groupId ? api.post(`${base}/set_group`, { groupId }) : api.post(`${base}/unset_group`)));
      }}
    >
      <Field label="Group" id="sim-group">
        <select id="sim-group" value={groupId} onChange={(e) => setGroupId((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">no group</option>
          {(groups.data ?? []).map((g) => (
            <option key={g.groupId} value={g.groupId}>
              {g.tags?.name ? `${g.tags.name} (${g.groupId})` : g.groupId}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={busy}>
        Set group
      </button>
    </form>
  );
}

function ExpiryForm({ sim, busy, base, act }: FormProps) {
  const { api, can } = useConsole();
  const [when, setWhen] = useState(sim.expiryTime ? new Date(sim.expiryTime).toISOString().slice(0, 16) : '');
  const [what, setWhat] = useState(sim.expiryAction ?? 'doNothing');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const expiryTime = Date.parse(`${when}:00Z`);
        void act('Set expiry', () => api.post(`${base}/set_expiry_time`, { expiryTime, expiryAction: what }));
      }}
    >
      <Field label="Expiry (UTC)" id="sim-expiry">
        <input id="sim-expiry" type="datetime-local" required value={when} onInput={(e) => setWhen((e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <Field label="Then" id="sim-expiry-action">
        <select id="sim-expiry-action" value={what} onChange={(e) => setWhat((e.currentTarget as HTMLSelectElement).value)}>
          {EXPIRY_ACTIONS.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={busy}>
        Set expiry
      </button>
      {can('unsetExpiry') ? (
        <button type="button" disabled={busy || !sim.expiryTime} onClick={() => void act('Remove expiry', () => api.post(`${base}/unset_expiry_time`))}>
          Remove expiry
        </button>
      ) : null}
    </form>
  );
}

function TagsSection({ sim, busy, base, act }: FormProps) {
  const { api, can } = useConsole();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  return (
    <Section title="Tags">
      <ul class="tag-list">
        {Object.entries(sim.tags).map(([k, v]) => (
          <li key={k}>
            <code>{k}</code> = {v}{' '}
            {can('deleteTag') ? (
              <button type="button" class="small" disabled={busy} aria-label={`Delete tag ${k}`} onClick={() => void act(`Delete tag ${k}`, () => api.delete(`${base}/tags/${encodeURIComponent(k)}`))}>
                Delete
              </button>
            ) : null}
          </li>
        ))}
        {Object.keys(sim.tags).length === 0 ? <li>No tags.</li> : null}
      </ul>
      {can('putTags') ? <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void act(`Set tag ${name}`, () => api.put(`${base}/tags`, [{ tagName: name, tagValue: value }])).then(() => {
            setName('');
            setValue('');
          });
        }}
      >
        <Field label="Tag name" id="tag-name">
          <input id="tag-name" required value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <Field label="Tag value" id="tag-value">
          <input id="tag-value" value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <button type="submit" disabled={busy}>
          Set tag
        </button>
      </form> : null}
    </Section>
  );
}
