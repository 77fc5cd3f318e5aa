import { useState } from 'preact/hooks';
import { sendCommand, type CardProfile, type CommandOutcome } from '../commands.js';
import { CommandOutcomeText } from './device-commands.js';
import { Field, Section, useConsole, useLoad } from '../ui.js';

interface OrderedProfile {
  iccid: string;
  imsi: string;
  activationCode: string;
  profileStatus: string;
}

/** Ordered profiles not on any card yet (the SM-DP+ still holds them for download). */
const DOWNLOADABLE = new Set(['SUBSCRIBER_REGISTRATION_SUCCEEDED', 'INSTALLATION_FAILED']);

/**
 * The gateway's eUICC through its agent (the LPA): download a profile by activation code (with
 * its confirmation code when the order has one), read the profiles on the card, and enable,
 * disable or delete one. Every answer is the device's, in words. `onDone`: called after each
 * answer (a profile switch changes the device's status report).
 */
export function EsimSection({ devicePath, onDone }: { devicePath: string; onDone?: () => void }) {
  const { api, can } = useConsole();
  const [profiles, setProfiles] = useState<{ eid: string; list: CardProfile[] } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<CommandOutcome | null>(null);
  const [activationCode, setActivationCode] = useState('');
  const [confirmationCode, setConfirmationCode] = useState('');
  const [enable, setEnable] = useState(true);
  // The operator's ordered profiles still to download, offered as activation codes to pick.
  const ordered = useLoad(async () => {
    if (!can('listOrders')) return [] as OrderedProfile[];
    const orders = await api.get<{ profileOrderId: string; status: string }[]>('/v1/sim_profile_orders', { limit: 100 });
    const lists = await Promise.all(orders.filter((o) => o.status === 'COMPLETED').map((o) => api.get<OrderedProfile[]>(`/v1/sim_profile_orders/${o.profileOrderId}/profiles`)));
    return lists.flat().filter((p) => DOWNLOADABLE.has(p.profileStatus));
  }, []);

  /** `list-profiles`: the card's profiles as the device reads them now. */
  const readProfiles = async (): Promise<CommandOutcome> => {
    const r = await sendCommand(api, devicePath, 'Read profiles', { name: 'list-profiles' });
    const result = r.result?.status === 'ok' ? r.result.result : undefined;
    if (result && Array.isArray(result.profiles)) setProfiles({ eid: String(result.eid ?? ''), list: result.profiles as CardProfile[] });
    return r;
  };

  /** Runs one eSIM command and shows its result; after a change, reads the card again. */
  const run = async (label: string, command?: { name: string } & Record<string, unknown>): Promise<void> => {
    setBusy(label);
    setOutcome(null);
    try {
      if (!command) {
        setOutcome(await readProfiles());
        return;
      }
      setOutcome(await sendCommand(api, devicePath, label, command));
      await readProfiles();
      if (command.name === 'esim.download') ordered.reload();
    } finally {
      setBusy(null);
      onDone?.();
    }
  };

  return (
    <Section title="eSIM profiles on the card">
      <form
        class="inline-form"
        aria-label="Download an eSIM profile"
        onSubmit={(e) => {
          e.preventDefault();
          void run('Download eSIM profile', {
            name: 'esim.download',
            activationCode: activationCode.trim(),
            ...(confirmationCode.trim() ? { confirmationCode: confirmationCode.trim() } : {}),
            ...(enable ? { enable: true } : {}),
          });
        }}
      >
        <Field label="Activation code" id="esim-ac" hint="LPA:1$<SM-DP+ address>$<matching ID>, from the eSIM page">
          <input id="esim-ac" required list="esim-ordered" size={48} pattern="LPA:1\$.+" value={activationCode} onInput={(e) => setActivationCode((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <datalist id="esim-ordered">
          {(ordered.data ?? []).map((p) => (
            <option key={p.iccid} value={p.activationCode}>
              {`ICCID ${p.iccid}, IMSI ${p.imsi}`}
            </option>
          ))}
        </datalist>
        <Field label="Confirmation code" id="esim-cc" hint="only when the order set one">
          <input id="esim-cc" autoComplete="off" value={confirmationCode} onInput={(e) => setConfirmationCode((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <div class="field">
          <label class="inline">
            <input type="checkbox" checked={enable} onChange={(e) => setEnable((e.currentTarget as HTMLInputElement).checked)} /> Enable it once installed
          </label>
        </div>
        <button type="submit" disabled={busy !== null}>
          {busy === 'Download eSIM profile' ? 'Downloading…' : 'Download profile'}
        </button>
      </form>
      <div class="buttons">
        <button type="button" disabled={busy !== null} onClick={() => void run('Read profiles')}>
          {busy === 'Read profiles' ? 'Reading the card…' : 'Read profiles from the card'}
        </button>
      </div>
      {busy && !['Read profiles', 'Download eSIM profile'].includes(busy) ? (
        <p class="muted" role="status">
          {busy}: waiting for the device…
        </p>
      ) : null}
      <CommandOutcomeText outcome={outcome} testId="esim-result" />
      {profiles ? (
        <>
          <p class="muted">
            eUICC {profiles.eid || '—'}: {profiles.list.length} profile{profiles.list.length === 1 ? '' : 's'}
          </p>
          {profiles.list.length ? (
            <table class="grid" aria-label="Profiles on the card">
              <thead>
                <tr>
                  <th scope="col">ICCID</th>
                  <th scope="col">State</th>
                  <th scope="col">Name</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Class</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {profiles.list.map((p) => (
                  <tr key={p.iccid} data-iccid={p.iccid}>
                    <td>{p.iccid}</td>
                    <td>{p.state}</td>
                    <td>{p.nickname ? `${p.nickname} (${p.profileName ?? ''})` : (p.profileName ?? '')}</td>
                    <td>{p.serviceProviderName ?? ''}</td>
                    <td>{p.profileClass ?? ''}</td>
                    <td>
                      <div class="buttons">
                        {p.state === 'disabled' ? (
                          <button type="button" class="small" disabled={busy !== null} aria-label={`Enable ${p.iccid}`} onClick={() => void run('Enable profile', { name: 'enable-profile', iccid: p.iccid })}>
                            Enable
                          </button>
                        ) : (
                          <button type="button" class="small" disabled={busy !== null} aria-label={`Disable ${p.iccid}`} onClick={() => void run('Disable profile', { name: 'disable-profile', iccid: p.iccid })}>
                            Disable
                          </button>
                        )}
                        <button
                          type="button"
                          class="small"
                          disabled={busy !== null}
                          aria-label={`Delete ${p.iccid}`}
                          onClick={() => {
                            if (!confirm(`Delete profile ${p.iccid} from the card? Its SIM stays billed until you terminate it.`)) return;
                            void run('Delete profile', { name: 'delete-profile', iccid: p.iccid });
                          }}
                        >
                          Delete
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
    </Section>
  );
}
