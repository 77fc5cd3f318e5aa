import { useState } from 'preact/hooks';
import { describeError, logIn, type Coverage, type Session } from '../api.js';
import { Field } from '../ui.js';

/** Root user by email, or SAM user by operator ID and user name; both through `POST /v1/auth`. */
export function LoginPage({ onLogIn, notice }: { onLogIn: (s: Session) => void; notice?: string | null }) {
  const [kind, setKind] = useState<'root' | 'sam'>('root');
  const [email, setEmail] = useState('');
  const [operatorId, setOperatorId] = useState('');
  const [userName, setUserName] = useState('');
  const [password, setPassword] = useState('');
  const [coverage, setCoverage] = useState<Coverage>('g');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const credentials = kind === 'root' ? { email: email.trim(), password } : { operatorId: operatorId.trim(), userName: userName.trim(), password };
      const session = await logIn(credentials, coverage);
      location.hash = '#/sims';
      onLogIn(session);
    } catch (err) {
      setError(`Login refused: ${describeError(err)}`);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  const value = (set: (v: string) => void) => (e: Event) => set((e.currentTarget as HTMLInputElement).value);
  return (
    <main id="main" class="login">
      <h1>cellgate console</h1>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="login-title" class="card">
        <h2 id="login-title">Log in</h2>
        {notice && !error ? (
          <p class="notice info" role="status">
            {notice}
          </p>
        ) : null}
        <fieldset>
          <legend>Account</legend>
          <label class="inline">
            <input type="radio" name="kind" checked={kind === 'root'} onChange={() => setKind('root')} /> Root user
          </label>
          <label class="inline">
            <input type="radio" name="kind" checked={kind === 'sam'} onChange={() => setKind('sam')} /> SAM user
          </label>
        </fieldset>
        {kind === 'root' ? (
          <Field label="Email" id="login-email">
            <input id="login-email" type="email" autoComplete="username" required value={email} onInput={value(setEmail)} />
          </Field>
        ) : (
          <>
            <Field label="Operator ID" id="login-operator">
              <input id="login-operator" required pattern="OP[0-9]{10}" placeholder="OP0000000000" value={operatorId} onInput={value(setOperatorId)} />
            </Field>
            <Field label="User name" id="login-user">
              <input id="login-user" autoComplete="username" required value={userName} onInput={value(setUserName)} />
            </Field>
          </>
        )}
        <Field label="Password" id="login-password">
          <input id="login-password" type="password" autoComplete="current-password" required value={password} onInput={value(setPassword)} />
        </Field>
        <Field label="Coverage" id="login-coverage">
          <select id="login-coverage" value={coverage} onChange={(e) => setCoverage((e.currentTarget as HTMLSelectElement).value as Coverage)}>
            <option value="g">g (global)</option>
            <option value="jp">jp (Japan)</option>
          </select>
        </Field>
        {error ? (
          <p class="notice error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
