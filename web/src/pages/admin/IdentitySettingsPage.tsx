import { useApi } from '../../api/use-api';
import { ErrorBox, Loading } from '../../components/ui';

interface Setting { name: string; env: string; doc: string; secret: boolean; set: boolean; value: string | number | boolean | null }

/** The LDAP and OpenID Connect settings in force, read-only; secrets only as "set". */
export default function IdentitySettingsPage() {
  const s = useApi<{ ldap: boolean; oidc: boolean; items: Setting[] }>('/settings/identity');
  const group = (prefix: string) => s.data?.items.filter((x) => x.name.startsWith(prefix)) ?? [];
  return (
    <section>
      <h1>Sign-in directories</h1>
      <p className="muted small">Read-only: these come from the platform's configuration (environment or flags). Secrets are never shown.</p>
      <ErrorBox error={s.error} />
      {s.loading && !s.data ? <Loading /> : s.data && (
        <>
          <h2>LDAP — {s.data.ldap ? 'on' : 'off'}</h2>
          <SettingsTable rows={group('ldap')} />
          <h2>OpenID Connect — {s.data.oidc ? 'on' : 'off'}</h2>
          <SettingsTable rows={group('oidc')} />
        </>
      )}
    </section>
  );
}

function SettingsTable({ rows }: { rows: Setting[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead><tr><th scope="col">Setting</th><th scope="col">Value</th><th scope="col">Meaning</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <th scope="row" className="mono">{r.env}</th>
              <td className="mono wrap">{r.secret ? (r.set ? 'set (hidden)' : 'not set') : r.set ? String(r.value) : <span className="muted">not set</span>}</td>
              <td className="cell-text small">{r.doc}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
