import { useState } from 'preact/hooks';
import { formatTime } from '../api.js';
import { ErrorText, Field, OutcomeText, Section, useAction, useConsole, useLoad } from '../ui.js';

interface Notice {
  messageId: string;
  kind: string;
  subject: string;
  body: string;
  sentTime: number;
  data: { token?: string; imsis?: string[]; expiryTime?: number; fromOperatorId?: string; coverageType?: string };
}

interface SupportTransfer {
  id: string;
  sourceOperatorId: string;
  destinationOperatorId: string;
  destinationEmail: string;
  simIds: string[];
  state: string;
  requestedTime: number;
  replyDeadline: number | null;
  transferDate: string | null;
  transferTime: number | null;
  findings: { code: string; message: string }[];
}

interface IssuedToken {
  token: string;
  imsis: string[];
  destination: string;
}

const ISSUED_KEY = 'cellgate.console.issued-tokens';

function loadIssued(): IssuedToken[] {
  try {
    return JSON.parse(sessionStorage.getItem(ISSUED_KEY) ?? '[]') as IssuedToken[];
  } catch {
    return [];
  }
}

const list = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * SIM transfers between operators: Ready transfer tokens (issue / cancel as the source, accept as
 * the destination from the notice in its outbox) and support-assisted requests.
 */
export function TransfersPage() {
  const { api, session, can } = useConsole();
  const action = useAction();
  const incoming = useLoad(() => (can('outbox') ? api.get<Notice[]>('/_cellgate/outbox', { kind: 'ready-transfer-request' }) : Promise.resolve(null)), []);
  const support = useLoad(() => (can('listSupport') ? api.get<SupportTransfer[]>('/_cellgate/support/transfers') : Promise.resolve(null)), []);
  // [choice] The API lists no issued tokens; the console keeps the ones issued in this browser tab.
  const [issued, setIssued] = useState<IssuedToken[]>(loadIssued);
  const remember = (next: IssuedToken[]): void => {
    sessionStorage.setItem(ISSUED_KEY, JSON.stringify(next));
    setIssued(next);
  };
  const [destEmail, setDestEmail] = useState('');
  const [destId, setDestId] = useState('');
  const [imsis, setImsis] = useState('');
  const [token, setToken] = useState('');
  const [sEmail, setSEmail] = useState('');
  const [sId, setSId] = useState('');
  const [simIds, setSimIds] = useState('');
  const input = (set: (v: string) => void) => (e: Event) => set((e.currentTarget as HTMLInputElement).value);

  const reloadAll = (): void => {
    incoming.reload();
    support.reload();
  };

  return (
    <>
      <h1>Transfers</h1>
      <OutcomeText outcome={action.outcome} />
      {can('issueToken') ? <Section title="Issue a Ready transfer token">
        <p class="muted">Ready SIMs move to another operator when it accepts the token within 24 hours. Until then they are transferring.</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const transferImsi = list(imsis);
            void action
              .run('Transfer token issued', async () => {
                const r = await api.post<{ token: string }>('/v1/subscribers/transfer_token/issue', {
                  transferDestinationOperatorEmail: destEmail.trim(),
                  transferDestinationOperatorId: destId.trim(),
                  transferImsi,
                });
                remember([{ token: r.token, imsis: transferImsi, destination: `${destEmail.trim()} (${destId.trim()})` }, ...issued]);
              })
              .then((ok) => ok && setImsis(''));
          }}
        >
          <Field label="Destination operator email" id="tr-email">
            <input id="tr-email" type="email" required value={destEmail} onInput={input(setDestEmail)} />
          </Field>
          <Field label="Destination operator ID" id="tr-operator">
            <input id="tr-operator" required value={destId} onInput={input(setDestId)} />
          </Field>
          <Field label="IMSIs to transfer" id="tr-imsis" hint="one per line or separated by commas (1 to 100)">
            <textarea id="tr-imsis" required rows={3} value={imsis} onInput={input(setImsis)} />
          </Field>
          <button type="submit" disabled={action.busy}>
            Issue token
          </button>
        </form>
        {issued.length ? (
          <table class="grid" aria-label="Issued tokens">
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">To</th>
                <th scope="col">SIMs</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {issued.map((t) => (
                <tr key={t.token}>
                  <td>
                    <code>{t.token}</code>
                  </td>
                  <td>{t.destination}</td>
                  <td>{t.imsis.join(', ')}</td>
                  <td>
                    {can('cancelToken') ? <button
                      type="button"
                      class="small"
                      disabled={action.busy}
                      onClick={() =>
                        void action
                          .run('Transfer token cancelled', () => api.delete(`/v1/subscribers/transfer_token/${encodeURIComponent(t.token)}`))
                          .then(() => remember(issued.filter((x) => x.token !== t.token)))
                      }
                    >
                      Cancel token
                    </button> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section> : null}
      {can('outbox') || can('acceptToken') ? <Section title="Incoming transfer requests">
        <ErrorText error={incoming.error} />
        {incoming.data?.length === 0 ? <p>No transfer request was sent to {session.operatorId}.</p> : null}
        {incoming.data?.length ? (
          <table class="grid" aria-label="Incoming transfer requests">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">From</th>
                <th scope="col">SIMs</th>
                <th scope="col">Accept before</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {[...incoming.data].reverse().map((n) => (
                <tr key={n.messageId}>
                  <td>{formatTime(n.sentTime)}</td>
                  <td>{n.data.fromOperatorId ?? ''}</td>
                  <td>{(n.data.imsis ?? []).join(', ')}</td>
                  <td>{formatTime(n.data.expiryTime)}</td>
                  <td>
                    {can('acceptToken') ? <button
                      type="button"
                      class="small"
                      disabled={action.busy || !n.data.token}
                      aria-label={`Accept transfer from ${n.data.fromOperatorId ?? 'operator'} of ${(n.data.imsis ?? []).join(', ')}`}
                      onClick={() =>
                        void action
                          .run('Transfer accepted', async () => {
                            const r = await api.post<{ transferredImsi: string[] }>('/v1/subscribers/transfer_token/verify', { token: n.data.token });
                            return r;
                          })
                          .then(reloadAll)
                      }
                    >
                      Accept
                    </button> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {can('acceptToken') ? <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run('Transfer accepted', () => api.post('/v1/subscribers/transfer_token/verify', { token: token.trim() })).then(reloadAll);
          }}
        >
          <Field label="Accept a token" id="tr-token">
            <input id="tr-token" required value={token} onInput={input(setToken)} />
          </Field>
          <button type="submit" disabled={action.busy}>
            Accept token
          </button>
        </form> : null}
      </Section> : null}
      {can('listSupport') || can('requestSupport') ? <Section title="Support-assisted transfers">
        <p class="muted">For SIMs in use (active, inactive, standby, suspended): the destination replies within 5 business days; the transfer runs on the planned date.</p>
        <ErrorText error={support.error} />
        {support.data?.length ? (
          <table class="grid" aria-label="Support-assisted transfers">
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">From → to</th>
                <th scope="col">SIMs</th>
                <th scope="col">State</th>
                <th scope="col">Reply by</th>
                <th scope="col">Planned date</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {support.data.map((t) => {
                const mine = t.sourceOperatorId === session.operatorId;
                return (
                  <tr key={t.id}>
                    <td>{t.id}</td>
                    <td>
                      {t.sourceOperatorId} → {t.destinationOperatorId}
                    </td>
                    <td>{t.simIds.join(', ')}</td>
                    <td>
                      {t.state}
                      {t.findings.length ? ` — ${t.findings.map((f) => `${f.message} (${f.code})`).join('; ')}` : ''}
                    </td>
                    <td>{formatTime(t.replyDeadline)}</td>
                    <td>{t.transferDate ?? '—'}</td>
                    <td>
<div class="buttons">
                      {mine && t.state === 'requested' && can('reviewSupport') ? (
                        <button type="button" class="small" disabled={action.busy} onClick={() => void action.run('Request reviewed', () => api.post(`/_cellgate/support/transfers/${t.id}/review`)).then(reloadAll)}>
                          Review
                        </button>
                      ) : null}
                      {!mine && t.state === 'awaiting-reply' && can('replySupport') ? (
                        <>
                          <button type="button" class="small" disabled={action.busy} onClick={() => void action.run('Transfer request accepted', () => api.post(`/_cellgate/support/transfers/${t.id}/reply`, { accept: true })).then(reloadAll)}>
                            Accept
                          </button>
                          <button type="button" class="small" disabled={action.busy} onClick={() => void action.run('Transfer request declined', () => api.post(`/_cellgate/support/transfers/${t.id}/reply`, { accept: false })).then(reloadAll)}>
                            Decline
                          </button>
                        </>
                      ) : null}
                    </div>
</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p>No support-assisted transfer.</p>
        )}
        {can('requestSupport') ? <form
          onSubmit={(e) => {
            e.preventDefault();
            void action
              .run('Support-assisted transfer requested', () =>
                api.post('/_cellgate/support/transfers', { simIds: list(simIds), destinationOperatorEmail: sEmail.trim(), destinationOperatorId: sId.trim() }),
              )
              .then(reloadAll);
          }}
        >
          <h3>Request a support-assisted transfer</h3>
          <Field label="Destination email" id="st-email">
            <input id="st-email" type="email" required value={sEmail} onInput={input(setSEmail)} />
          </Field>
          <Field label="Destination operator ID" id="st-operator">
            <input id="st-operator" required value={sId} onInput={input(setSId)} />
          </Field>
          <Field label="SIM IDs" id="st-sims" hint="one per line or separated by commas">
            <textarea id="st-sims" required rows={3} value={simIds} onInput={input(setSimIds)} />
          </Field>
          <button type="submit" disabled={action.busy}>
            Request transfer
          </button>
        </form> : null}
      </Section> : null}
    </>
  );
}
