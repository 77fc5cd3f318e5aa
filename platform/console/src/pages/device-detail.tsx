import { useEffect } from 'preact/hooks';
import { formatTime } from '../api.js';
import { href } from '../router.js';
import { ErrorText, Loading, OnlineBadge, Section, useConsole, useLoad } from '../ui.js';
import type { Device, DeviceEvent } from '../types.js';
import { CommandSection } from './device-commands.js';
import { EsimSection } from './device-esim.js';

/** One gateway: last status report, its events (live), commands and its eSIM profiles, each with its result. */
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
        {can('sendCommand') ? <CommandSection devicePath={path} onDone={device.reload} /> : null}
      </div>
      {can('sendCommand') ? <EsimSection devicePath={path} onDone={device.reload} /> : null}
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
