import { useEffect, useState } from 'react';
import { post } from '../api/client';
import { ActionForm, ErrorBox, Field } from '../components/ui';
import { useSession, type Me } from './session';

const reasons: Record<string, string> = {
  expired: 'Your session has ended. Please sign in again.',
  idle: 'You were signed out after a time without activity.',
  logout: 'You are signed out.',
};

/** Username and password; then the steps the platform still asks for (TOTP, enrolment, new password). */
export function LoginPage() {
  const { state, login, logout } = useSession();
  if (state.status === 'signed-in') {
    const step = state.me.pending[0];
    return (
      <main className="login">
        <h1>OV2X</h1>
        {step === 'verify-totp' && <TotpStep />}
        {step === 'enrol-totp' && <EnrolStep />}
        {step === 'change-password' && <PasswordStep forced />}
        <button type="button" className="link" onClick={() => void logout()}>Cancel and sign out</button>
      </main>
    );
  }
  const reason = state.status === 'signed-out' && state.reason ? reasons[state.reason] : undefined;
  return <CredentialsStep login={login} reason={reason} />;
}

function CredentialsStep({ login, reason }: { login(u: string, p: string): Promise<void>; reason?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  return (
    <main className="login">
      <h1>OV2X operator portal</h1>
      {reason && <p className="notice" role="status">{reason}</p>}
      <ActionForm action={() => login(username, password)} submit="Sign in">
        <Field label="Username"><input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus /></Field>
        <Field label="Password"><input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} /></Field>
      </ActionForm>
    </main>
  );
}

function TotpStep() {
  const { refresh } = useSession();
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const body = recovery ? { recoveryCode: code.trim() } : { code: code.trim() };
  return (
    <section aria-labelledby="totp-h">
      <h2 id="totp-h">Two-factor authentication</h2>
      <ActionForm action={async () => { await post('/auth/totp', body); await refresh(); }} submit="Verify">
        <Field label={recovery ? 'Recovery code' : 'Code from your authenticator app'}>
          <input name="code" inputMode={recovery ? 'text' : 'numeric'} autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} autoFocus />
        </Field>
      </ActionForm>
      <button type="button" className="link" onClick={() => { setRecovery(!recovery); setCode(''); }}>
        {recovery ? 'Use an authenticator code' : 'Use a recovery code instead'}
      </button>
    </section>
  );
}

interface Enrolment { secret: string; uri: string; digits: number; period: number }

/** Enrolment: the secret to type or the otpauth URI, a first code, then the recovery codes once. */
export function EnrolStep({ onDone }: { onDone?: () => void }) {
  const { refresh } = useSession();
  const [enrolment, setEnrolment] = useState<Enrolment>();
  const [error, setError] = useState<unknown>();
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[]>();
  useEffect(() => { post<Enrolment>('/auth/totp/enrol').then(setEnrolment, setError); }, []);
  if (codes) {
    return (
      <section aria-labelledby="codes-h">
        <h2 id="codes-h">Recovery codes</h2>
        <p>Keep these somewhere safe. Each works once, and they are shown only now.</p>
        <ul className="codes" data-testid="recovery-codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        <button type="button" className="primary" onClick={() => { void refresh(); onDone?.(); }}>I have saved them</button>
      </section>
    );
  }
  return (
    <section aria-labelledby="enrol-h">
      <h2 id="enrol-h">Set up two-factor authentication</h2>
      <ErrorBox error={error} />
      {enrolment && (
        <>
          <p>Add this account to your authenticator app with the key below, then enter the code it shows.</p>
          <p>Key: <code data-testid="totp-secret">{enrolment.secret}</code></p>
          <p className="muted small">URI: <code className="wrap">{enrolment.uri}</code></p>
          <ActionForm action={async () => { const r = await post<{ recoveryCodes: string[]; me: Me }>('/auth/totp/confirm', { code: code.trim() }); setCodes(r.recoveryCodes); }} submit="Turn on">
            <Field label="Code"><input name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} /></Field>
          </ActionForm>
        </>
      )}
    </section>
  );
}

/** Change the own password; the platform then ends the account's other sessions. */
export function PasswordStep({ forced = false }: { forced?: boolean }) {
  const { refresh } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState(false);
  const change = async () => {
    if (next !== again) throw new Error('the two new passwords differ');
    await post('/auth/password', { currentPassword: current, newPassword: next });
    setCurrent(''); setNext(''); setAgain(''); setDone(true);
    await refresh();
  };
  return (
    <section aria-labelledby="pw-h">
      <h2 id="pw-h">{forced ? 'Choose a new password' : 'Change password'}</h2>
      {done && <p className="notice" role="status">Password changed. Your other sessions have ended.</p>}
      <ActionForm action={change} submit="Change password">
        <Field label="Current password"><input type="password" name="current" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} /></Field>
        <Field label="New password (12–128 characters)"><input type="password" name="new" autoComplete="new-password" minLength={12} maxLength={128} required value={next} onChange={(e) => setNext(e.target.value)} /></Field>
        <Field label="New password again"><input type="password" name="again" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} /></Field>
      </ActionForm>
    </section>
  );
}
