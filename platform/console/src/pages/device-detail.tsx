import { useEffect, useState } from 'preact/hooks';
import { describeError, formatTime } from '../api.js';
import { href } from '../router.js';
import { ErrorText, Field, Loading, OnlineBadge, Section, useConsole, useLoad } from '../ui.js';
import type { Device, DeviceEvent } from '../types.js';

/** Commands the console offers (platform/contract/messages.ts `Command`), with their fields. */
const COMMANDS: { name: string; label: string; fields: { key: string; label: string; options?: string[] }[] }[] = [
  { name: 'reconnect', label: 'Reconnect', fields: [] },
  { name: 'refresh-status', label: 'Refresh status', fields: [] },
  { name: 'reboot-modem', label: 'Reboot modem', fields: [] },
  { name: 'set-apn', label: 'Set APN', fields: [{ key: 'apn', label: 'APN' }, { key: 'username', label: 'APN user name' }, { key: 'password', label: 'APN password' }] },
  { name: 'set-rat', label: 'Set radio access', fields: [{ key: 'rat', label: 'Radio access', options: ['auto', 'lte-m', 'nb-iot', 'lte'] }] },
  { name: 'list-profiles', label: 'List eSIM profiles', fields: [] },
  { name: 'enable-profile', label: 'Enable eSIM profile', fields: [{ key: 'iccid', label: 'ICCID' }] },
  { name: 'disable-profile', label: 'Disable eSIM profile', fields: [{ key: 'iccid', label: 'ICCID' }] },
  { name: 'delete-profile', label: 'Delete eSIM profile', fields: [{ key: 'iccid', label: 'ICCID' }] },
];

interface CommandResult {
  commandId: string;
  command: string;
  status: string;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** One gateway: last status report, its events (live), and sending a command with its result. */
export function DeviceDetailPage({ deviceId }: { deviceId: string }) {
  const { api, live, can } = useConsole();
  const path = `/_cellgate/devices/${encodeURIComponent(deviceId)}`;
  const device = useLoad(() => api.get<Device>(path), [deviceId]);
  const events = useLoad(() => api.get<DeviceEvent[]>(`${path}/events`, { limit: 1000 }), [deviceId]);

  useEffect(
    () =>
      live.on((e) => {
        if (e.kind === 'device-event' && e.deviceId === deviceId) {
          events.setData((current) => (current?.some((x) => x.key === e.event.key) ? current : [...(current ?? []), e.event]));
          device.reload();
        }
      }),
    [live, deviceId],
  );

  if (device.error && !device.data) {
    return (
      <>
        <h1>Device {deviceId}</h1>
        <ErrorText error={device.error} />
      </>
    );
  }
  if (!device.data) return <Loading what={`device ${deviceId}`} />;
  const st = device.data.status;
  const newestFirst = [...(events.data ?? [])].reverse();
  // [choice] "Online since" and "reconnects" come from the device's own events (the status
  // report has neither): the last session.online / session.reconnected while the session is up.
  const up = st?.session?.state === 'up';
  const lastUp = up ? newestFirst.find((e) => e.type === 'session.online' || e.type === 'session.reconnected') : undefined;
  const reconnects = newestFirst.filter((e) => e.type === 'session.reconnected').length;
  return (
    <>
      <p>
        <a href={href('devices')}>← Devices</a>
      </p>
      <h1>Device {deviceId}</h1>
      <div class="columns">
        <Section title="Last status report">
          {st ? (
            <dl class="facts">
              <dt>Agent link</dt>
              <dd>
                <OnlineBadge online={st.online} />
              </dd>
              <dt>Reported</dt>
              <dd>{formatTime(st.time)}</dd>
              <dt>Registration</dt>
              <dd>
                {st.registration.state}
                {st.registration.rat ? ` (${st.registration.rat})` : ''}
                {st.registration.rejectCause !== undefined ? `, reject cause #${st.registration.rejectCause}` : ''}
              </dd>
              <dt>Data session</dt>
              <dd>
                {st.session?.state ?? '—'} {st.session?.apn ? `APN ${st.session.apn}` : ''} {st.session?.ipAddress ?? ''}
              </dd>
              <dt>Online since</dt>
              <dd>{lastUp ? formatTime(lastUp.createdAt) : up ? '—' : 'offline'}</dd>
              <dt>Reconnects</dt>
              <dd>{reconnects}</dd>
              <dt>Signal</dt>
              <dd>
                {st.signal
                  ? [st.signal.rsrpDbm !== undefined ? `RSRP ${st.signal.rsrpDbm} dBm` : '', st.signal.rsrqDb !== undefined ? `RSRQ ${st.signal.rsrqDb} dB` : '', st.signal.rssiDbm !== undefined ? `RSSI ${st.signal.rssiDbm} dBm` : '']
                      .filter(Boolean)
                      .join(', ')
                  : '—'}
              </dd>
              <dt>Cell</dt>
              <dd>{st.cell ? `${st.cell.mcc}-${st.cell.mnc} TAC ${st.cell.tac} ECI ${st.cell.eci}` : '—'}</dd>
              <dt>SIM</dt>
              <dd>{st.sim?.imsi ? <a href={href(`sims/${st.sim.imsi}`)}>{st.sim.imsi}</a> : '—'}</dd>
              <dt>Modem</dt>
              <dd>{[st.modem?.manufacturer, st.modem?.model, st.modem?.imei ? `IMEI ${st.modem.imei}` : ''].filter(Boolean).join(' ') || '—'}</dd>
              <dt>Agent</dt>
              <dd>{st.agentVersion}</dd>
            </dl>
          ) : (
            <p>This device has not reported yet.</p>
          )}
        </Section>
        {can('sendCommand') ? <CommandSection path={path} /> : null}
      </div>
      <Section title="Events">
        <ErrorText error={events.error} />
        {newestFirst.length === 0 ? <p>No event yet.</p> : null}
        {newestFirst.length ? (
          <table class="grid" aria-label="Device events">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.slice(0, 200).map((e) => (
                <tr key={e.key}>
                  <td>{formatTime(e.createdAt)}</td>
                  <td>{e.type}</td>
                  <td class="details">{JSON.stringify(e.data)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </>
  );
}

function CommandSection({ path }: { path: string }) {
  const { api } = useConsole();
  const [name, setName] = useState('reconnect');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const spec = COMMANDS.find((c) => c.name === name)!;

  const send = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setResult(null);
    const command: Record<string, string> = { name };
    for (const f of spec.fields) {
      const v = values[f.key] ?? f.options?.[0];
      if (v) command[f.key] = v;
    }
    try {
      const r = await api.post<CommandResult>(`${path}/commands`, { command });
      const detail = r.error ? `${r.error.message} (${r.error.code})` : r.result ? JSON.stringify(r.result) : '';
      setResult({ ok: r.status === 'ok', text: `${spec.label}: ${r.status}${detail ? ` — ${detail}` : ''}` });
    } catch (err) {
      setResult({ ok: false, text: `${spec.label} refused: ${describeError(err)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Send a command">
      <form onSubmit={(e) => void send(e)}>
        <Field label="Command" id="cmd-name">
          <select id="cmd-name" value={name} onChange={(e) => setName((e.currentTarget as HTMLSelectElement).value)}>
            {COMMANDS.map((c) => (
              <option key={c.name} value={c.name}>
                {c.label}
              </option>
            ))}
          </select>
        </Field>
        {spec.fields.map((f) => (
          <Field key={f.key} label={f.label} id={`cmd-${f.key}`}>
            {f.options ? (
              <select id={`cmd-${f.key}`} value={values[f.key] ?? f.options[0]} onChange={(e) => setValues({ ...values, [f.key]: (e.currentTarget as HTMLSelectElement).value })}>
                {f.options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : (
              <input id={`cmd-${f.key}`} value={values[f.key] ?? ''} onInput={(e) => setValues({ ...values, [f.key]: (e.currentTarget as HTMLInputElement).value })} />
            )}
          </Field>
        ))}
        <button type="submit" disabled={busy}>
          {busy ? 'Waiting for the device…' : 'Send command'}
        </button>
      </form>
      {result ? (
        <p class={`notice ${result.ok ? 'ok' : 'error'}`} role={result.ok ? 'status' : 'alert'} data-testid="command-result">
          {result.text}
        </p>
      ) : null}
    </Section>
  );
}
