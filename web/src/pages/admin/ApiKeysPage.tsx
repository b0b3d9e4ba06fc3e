import { useState } from 'react';
import { api, post, qs, type Page } from '../../api/client';
import { useApi } from '../../api/use-api';
import { ActionForm, Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Confirm } from '../../components/Confirm';
import { Pager } from '../../components/Pager';

interface ApiKey { id: number; name: string; prefix: string; role: string; groups: string[] | null; state: string; createdBy: string; createdAt: string; expiresAt: string; lastUsedAt: string | null }
const PAGE = 50;
/** roles a key may hold (admin is refused by the platform) */
const KEY_ROLES = ['cpo_manager', 'billing_manager', 'emsp_manager', 'support_l1', 'support_l2', 'dso', 'roaming_partner', 'ems'];

/** API keys: create (the key is shown once, then only its prefix), rotate with overlap, revoke. */
export default function ApiKeysPage() {
  const [offset, setOffset] = useState(0);
  const list = useApi<Page<ApiKey>>(`/api-keys${qs({ limit: PAGE, offset, sort: 'createdAt', order: 'desc' })}`);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [error, setError] = useState<unknown>();
  const revoke = (k: ApiKey) => { setRevoking(null); setError(undefined); api('DELETE', `/api-keys/${k.id}`).then(list.reload, setError); };
  const rotate = (k: ApiKey) => {
    setError(undefined);
    post<{ key: ApiKey; secret: string }>(`/api-keys/${k.id}/rotate`, { overlapSeconds: 3600 }).then((r) => { setSecret({ name: r.key.name, secret: r.secret }); list.reload(); }, setError);
  };
  return (
    <section>
      <h1>API keys</h1>
      {secret && <ShownOnce name={secret.name} secret={secret.secret} onDone={() => setSecret(null)} />}
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="apikeys-table">
            <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Role</th><th scope="col">Groups</th><th scope="col">State</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {list.data?.items.map((k) => (
                <tr key={k.id} data-key={k.name}>
                  <td>{k.name}</td>
                  <td className="mono">{k.prefix}…</td>
                  <td>{k.role}</td>
                  <td>{k.groups?.join(', ') ?? 'all'}</td>
                  <td><Badge value={k.state} /></td>
                  <td>{fmtTime(k.expiresAt)}</td>
                  <td>{fmtTime(k.lastUsedAt)}</td>
                  <td className="row-actions">
                    {k.state === 'active' && <button type="button" onClick={() => rotate(k)}>Rotate</button>}
                    {k.state !== 'revoked' && <button type="button" className="danger" onClick={() => setRevoking(k)}>Revoke</button>}
                  </td>
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">No API keys.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      {revoking && (
        <Confirm title="Revoke API key" confirm="Revoke" danger onConfirm={() => revoke(revoking)} onCancel={() => setRevoking(null)}>
          <p>Key <strong>{revoking.name}</strong> ({revoking.prefix}…) is refused from now on. This cannot be undone.</p>
        </Confirm>
      )}
      <NewKey onCreated={(name, s) => { setSecret({ name, secret: s }); list.reload(); }} />
    </section>
  );
}

/** The new key, in this view only: the platform keeps just its hash. */
function ShownOnce({ name, secret, onDone }: { name: string; secret: string; onDone(): void }) {
  return (
    <div className="notice" role="alert">
      <p>The key for <strong>{name}</strong> — copy it now, it is not shown again:</p>
      <p><code className="secret" data-testid="new-secret">{secret}</code></p>
      <button type="button" onClick={() => { void navigator.clipboard?.writeText(secret).catch(() => undefined); }}>Copy</button>{' '}
      <button type="button" className="primary" onClick={onDone}>I have stored it</button>
    </div>
  );
}

function NewKey({ onCreated }: { onCreated(name: string, secret: string): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('dso');
  const [groups, setGroups] = useState('');
  const [days, setDays] = useState('90');
  return (
    <>
      <h2>Create an API key</h2>
      <ActionForm submit="Create key" className="form inline" action={async () => {
        const g = groups.split(',').map((x) => x.trim()).filter(Boolean);
        const r = await post<{ key: ApiKey; secret: string }>('/api-keys', { name: name.trim(), role, groups: g.length ? g : null, expiresInDays: Number(days) });
        setName('');
        onCreated(r.key.name, r.secret);
      }}>
        <Field label="Name"><input required value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="dso-westnetz" /></Field>
        <Field label="Role"><select value={role} onChange={(e) => setRole(e.target.value)}>{KEY_ROLES.map((r) => <option key={r}>{r}</option>)}</select></Field>
        <Field label="Station groups (comma-separated; empty: all)"><input value={groups} onChange={(e) => setGroups(e.target.value)} /></Field>
        <Field label="Valid for days"><input type="number" min="1" max="3650" required value={days} onChange={(e) => setDays(e.target.value)} /></Field>
      </ActionForm>
    </>
  );
}
