import { useState } from 'preact/hooks';
import { sendCommand, type CommandOutcome } from '../commands.js';
import { Field, Section, useConsole } from '../ui.js';

interface CommandField {
  key: string;
  label: string;
  options?: string[];
  type?: 'password';
  required?: boolean;
}

/** The session commands (platform/contract/messages.ts `Command`); eSIM ones have their own card. */
const COMMANDS: { name: string; label: string; fields: CommandField[] }[] = [
  { name: 'reconnect', label: 'Reconnect', fields: [] },
  { name: 'refresh-status', label: 'Refresh status', fields: [] },
  { name: 'reboot-modem', label: 'Reboot modem', fields: [] },
  {
    name: 'set-apn',
    label: 'Set APN',
    fields: [
      { key: 'apn', label: 'APN', required: true },
      { key: 'authType', label: 'Authentication', options: ['', 'none', 'pap', 'chap'] },
      { key: 'username', label: 'APN user name' },
      { key: 'password', label: 'APN password', type: 'password' },
    ],
  },
  { name: 'set-rat', label: 'Set radio access', fields: [{ key: 'rat', label: 'Radio access', options: ['lte-m', 'nb-iot', 'lte', 'auto'] }] },
];

/** A command's result: the sentence, and the device's raw answer behind a disclosure. */
export function CommandOutcomeText({ outcome, testId }: { outcome: CommandOutcome | null; testId: string }) {
  if (!outcome) return null;
  return (
    <div>
      <p class={`notice ${outcome.ok ? 'ok' : 'error'}`} role={outcome.ok ? 'status' : 'alert'} data-testid={testId}>
        {outcome.text}
      </p>
      {outcome.result?.result ? (
        <details>
          <summary>The device's answer</summary>
          <pre class="details">{JSON.stringify(outcome.result.result, null, 2)}</pre>
        </details>
      ) : null}
    </div>
  );
}

/** `onDone`: called after each answer (the device's status report may have changed). */
export function CommandSection({ devicePath, onDone }: { devicePath: string; onDone?: () => void }) {
  const { api } = useConsole();
  const [name, setName] = useState('reconnect');
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<CommandOutcome | null>(null);
  const spec = COMMANDS.find((c) => c.name === name)!;

  const send = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setOutcome(null);
    const command: { name: string } & Record<string, string> = { name };
    for (const f of spec.fields) {
      const v = values[f.key] ?? f.options?.[0];
      if (v) command[f.key] = v;
    }
    try {
      setOutcome(await sendCommand(api, devicePath, spec.label, command));
    } finally {
      setBusy(false);
      onDone?.();
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
                  <option key={o} value={o}>
                    {o || 'as before'}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`cmd-${f.key}`}
                type={f.type ?? 'text'}
                required={f.required}
                autoComplete="off"
                value={values[f.key] ?? ''}
                onInput={(e) => setValues({ ...values, [f.key]: (e.currentTarget as HTMLInputElement).value })}
              />
            )}
          </Field>
        ))}
        <button type="submit" disabled={busy}>
          {busy ? 'Waiting for the device…' : 'Send command'}
        </button>
      </form>
      <CommandOutcomeText outcome={outcome} testId="command-result" />
    </Section>
  );
}
