import { formatTime } from '../api.js';
import { href } from '../router.js';
import { ErrorText, Loading, OnlineBadge, useConsole, useLoad } from '../ui.js';
import type { Device } from '../types.js';

/** Gateways of the operator with their last status report. */
export function DevicesPage() {
  const { api } = useConsole();
  const devices = useLoad(() => api.get<Device[]>('/_cellgate/devices'), []);
  return (
    <>
      <h1>Devices</h1>
      <ErrorText error={devices.error} />
      {devices.loading && !devices.data ? <Loading what="devices" /> : null}
      {devices.data?.length === 0 ? <p>No device is registered yet (`cellgate up` or `POST /_cellgate/devices`).</p> : null}
      {devices.data?.length ? (
        <table class="grid" aria-label="Devices">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Agent link</th>
              <th scope="col">Registration</th>
              <th scope="col">Session</th>
              <th scope="col">Signal (RSRP)</th>
              <th scope="col">IMSI</th>
              <th scope="col">Last report</th>
            </tr>
          </thead>
          <tbody>
            {devices.data.map((d) => (
              <tr key={d.deviceId}>
                <td>
                  <a href={href(`devices/${d.deviceId}`)}>{d.deviceId}</a>
                </td>
                <td>{d.status ? <OnlineBadge online={d.status.online} /> : 'never reported'}</td>
                <td>{d.status?.registration.state ?? ''}</td>
                <td>{d.status?.session?.state ?? ''}</td>
                <td>{d.status?.signal?.rsrpDbm !== undefined ? `${d.status.signal.rsrpDbm} dBm` : ''}</td>
                <td>{d.status?.sim?.imsi ?? ''}</td>
                <td>{d.status ? formatTime(d.status.time) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
