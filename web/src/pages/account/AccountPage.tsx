import { useState } from 'react';
import { EnrolStep, PasswordStep } from '../../auth/LoginPage';
import { useMe } from '../../auth/session';

/** The own account: who, what rights, password change, two-factor set-up when not yet on. */
export default function AccountPage() {
  const me = useMe();
  const [enrolling, setEnrolling] = useState(false);
  return (
    <section>
      <h1>My account</h1>
      <dl className="facts">
        <dt>User</dt><dd>{me.name}</dd>
        <dt>Roles</dt><dd>{me.roles.join(', ') || '—'}</dd>
        <dt>Station groups</dt><dd>{me.groups ? me.groups.join(', ') || 'none' : 'all'}</dd>
        <dt>Permissions</dt><dd className="small">{me.permissions.join(', ')}</dd>
      </dl>
      <PasswordStep />
      <section aria-labelledby="tfa-h">
        <h2 id="tfa-h">Two-factor authentication</h2>
        {enrolling ? <EnrolStep onDone={() => setEnrolling(false)} /> : (
          <p>
            If two-factor authentication is not on yet for your account, you can turn it on here; once on, only an administrator can reset it.{' '}
            <button type="button" onClick={() => setEnrolling(true)}>Set up</button>
          </p>
        )}
      </section>
    </section>
  );
}
