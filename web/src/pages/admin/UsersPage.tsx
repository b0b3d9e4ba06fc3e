import { useState } from 'react';
import { api, post, qs, type Page } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { ActionForm, Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Confirm } from '../../components/Confirm';
import { Pager } from '../../components/Pager';

interface User { id: number; username: string; displayName: string | null; source: string; roles: string[]; stationGroups: string[] | null; disabled: boolean; totpEnabled: boolean; lockedUntil: string | null; createdAt: string }
interface RoleRow { role: string; permissions: string[]; mfaRequired: boolean; machineOnly: boolean }
const PAGE = 50;

/** Accounts: roles and station-group scope, disable, unlock, reset second factor, add. */
export default function UsersPage() {
  const { can } = useSession();
  const [offset, setOffset] = useState(0);
  const list = useApi<Page<User>>(`/users${qs({ limit: PAGE, offset, sort: 'username', order: 'asc' })}`);
  const roles = useApi<{ items: RoleRow[] }>('/roles');
  const [asking, setAsking] = useState<{ user: User; what: 'disable' | 'enable' | 'unlock' | 'reset-2fa' } | null>(null);
  const [created, setCreated] = useState<{ username: string; password: string } | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [error, setError] = useState<unknown>();
  const manage = can('users:manage');
  const run = (u: User, what: 'disable' | 'enable' | 'unlock' | 'reset-2fa') => {
    setAsking(null);
    setError(undefined);
    const call = what === 'disable' || what === 'enable' ? api('PATCH', `/users/${u.id}`, { disabled: what === 'disable' }) : post(`/users/${u.id}/${what}`);
    call.then(list.reload, setError);
  };
  const staffRoles = roles.data?.items.filter((r) => !r.machineOnly && r.role !== 'customer').map((r) => r.role) ?? [];
  return (
    <section>
      <h1>Users</h1>
      {created && (
        <div className="notice" role="alert">
          <p>One-time password of <strong>{created.username}</strong> (to be changed at first sign-in), shown once: <code className="secret">{created.password}</code></p>
          <button type="button" onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="users-table">
            <thead><tr><th scope="col">Username</th><th scope="col">Source</th><th scope="col">Roles</th><th scope="col">Station groups</th><th scope="col">2FA</th><th scope="col">State</th><th scope="col">Created</th>{manage && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {list.data?.items.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}{u.displayName && <span className="muted small"> {u.displayName}</span>}</td>
                  <td>{u.source}</td>
                  <td>{u.roles.join(', ')}</td>
                  <td>{u.stationGroups?.join(', ') ?? 'all'}</td>
                  <td>{u.totpEnabled ? 'on' : 'off'}</td>
                  <td><Badge value={u.disabled ? 'disabled' : u.lockedUntil && new Date(u.lockedUntil) > new Date() ? 'locked' : 'active'} /></td>
                  <td>{fmtTime(u.createdAt)}</td>
                  {manage && (
                    <td className="row-actions">
                      <button type="button" onClick={() => setEditing(u)} aria-label={`Edit roles and scope of ${u.username}`}>Roles & scope</button>
                      <button type="button" onClick={() => setAsking({ user: u, what: u.disabled ? 'enable' : 'disable' })}>{u.disabled ? 'Enable' : 'Disable'}</button>
                      {u.lockedUntil && <button type="button" onClick={() => run(u, 'unlock')}>Unlock</button>}
                      {u.totpEnabled && <button type="button" onClick={() => setAsking({ user: u, what: 'reset-2fa' })}>Reset 2FA</button>}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      {asking && (
        <Confirm title={`${asking.what === 'reset-2fa' ? 'Reset second factor of' : asking.what === 'disable' ? 'Disable' : 'Enable'} ${asking.user.username}`} confirm="Confirm" danger={asking.what !== 'enable'}
          onConfirm={() => run(asking.user, asking.what)} onCancel={() => setAsking(null)}>
          <p>{asking.what === 'enable' ? 'The account can sign in again.' : 'The account\'s open sessions end.'}</p>
        </Confirm>
      )}
      {editing && <EditAccess key={editing.id} user={editing} roles={staffRoles} onDone={(changed) => { setEditing(null); if (changed) list.reload(); }} />}
      {manage && staffRoles.length > 0 && <NewUser roles={staffRoles} onCreated={(c) => { setCreated(c); list.reload(); }} />}
      <h2>Roles and permissions</h2>
      <ErrorBox error={roles.error} />
      {roles.data && (
        <div className="table-wrap">
          <table className="matrix" data-testid="roles-matrix">
            <thead><tr><th scope="col">Role</th><th scope="col">Permissions</th><th scope="col">Notes</th></tr></thead>
            <tbody>
              {roles.data.items.map((r) => (
                <tr key={r.role}>
                  <th scope="row">{r.role}</th>
                  <td className="cell-text">{r.permissions.join(', ')}</td>
                  <td>{[r.mfaRequired && 'second factor required', r.machineOnly && 'machine clients only'].filter(Boolean).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function NewUser({ roles, onCreated }: { roles: string[]; onCreated(c: { username: string; password: string }): void }) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState(roles[0] ?? '');
  const [groups, setGroups] = useState('');
  return (
    <>
      <h2>Add a local account</h2>
      <ActionForm submit="Add account" className="form inline" action={async () => {
        const g = groups.split(',').map((x) => x.trim()).filter(Boolean);
        const r = await post<{ user: User; password: string }>('/users', { username: username.trim(), roles: [role], ...(g.length && { stationGroups: g }) });
        setUsername('');
        onCreated({ username: r.user.username, password: r.password });
      }}>
        <Field label="Username"><input required value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" /></Field>
        <Field label="Role"><select value={role} onChange={(e) => setRole(e.target.value)}>{roles.map((r) => <option key={r}>{r}</option>)}</select></Field>
        <Field label="Station groups (comma-separated; empty: all)"><input value={groups} onChange={(e) => setGroups(e.target.value)} /></Field>
      </ActionForm>
    </>
  );
}

/** Roles and station-group scope of one account; the platform ends its sessions when its rights change. */
function EditAccess({ user, roles, onDone }: { user: User; roles: string[]; onDone(changed: boolean): void }) {
  const [held, setHeld] = useState<string[]>(user.roles);
  const [groups, setGroups] = useState(user.stationGroups?.join(', ') ?? '');
  return (
    <div className="panel" data-testid="edit-access">
      <h2>Roles and scope of {user.username}</h2>
      <ActionForm submit="Save" action={async () => {
        const g = groups.split(',').map((x) => x.trim()).filter(Boolean);
        await api('PATCH', `/users/${user.id}`, { roles: held, stationGroups: g.length ? g : null });
        onDone(true);
      }}>
        <fieldset className="days"><legend className="small muted">Roles</legend>
          {roles.map((r) => (
            <label key={r} className="check"><input type="checkbox" checked={held.includes(r)} onChange={(e) => setHeld(e.target.checked ? [...held, r] : held.filter((x) => x !== r))} />{r}</label>
          ))}
        </fieldset>
        <Field label="Station groups (comma-separated; empty: all)"><input value={groups} onChange={(e) => setGroups(e.target.value)} /></Field>
        <p className="small muted">Changing rights ends the account's open sessions.</p>
      </ActionForm>
      <button type="button" className="link" onClick={() => onDone(false)}>Cancel</button>
    </div>
  );
}
