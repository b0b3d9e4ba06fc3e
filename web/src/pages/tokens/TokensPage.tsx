import { useState } from 'react';
import { api, post, qs, type Page } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { ActionForm, Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Confirm } from '../../components/Confirm';
import { Pager } from '../../components/Pager';

interface Token { id: string; type: string; status: string; expiresAt: string | null; group: string | null; createdAt: string; updatedAt: string }
const PAGE = 50;
const TYPES = ['ISO14443', 'ISO15693', 'eMAID', 'Central', 'KeyCode', 'Local', 'MacAddress'];

/** datetime-local value (local wall clock) → ISO, empty → null */
const isoOf = (local: string): string | null => (local ? new Date(local).toISOString() : null);

/**
 * Tokens, pseudonymized: the UID shows only after "Reveal" (tokens:reveal, audited by the
 * platform before it answers) and only until the page is left. Block/unblock and expiry need
 * tokens:manage; callers without those rights see no buttons at all.
 */
export default function TokensPage() {
  const { can } = useSession();
  const [status, setStatus] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useApi<Page<Token>>(`/tokens${qs({ status, limit: PAGE, offset, sort: 'createdAt', order: 'desc' })}`);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [asking, setAsking] = useState<{ token: Token; status: 'Accepted' | 'Blocked' } | null>(null);
  const [editing, setEditing] = useState<Token | null>(null);
  const [error, setError] = useState<unknown>();
  const manage = can('tokens:manage');

  const replace = (t: Token) => list.set((old) => old && { ...old, items: old.items.map((x) => (x.id === t.id ? t : x)) });
  const reveal = (id: string) => {
    setError(undefined);
    post<{ idToken: string }>(`/tokens/${id}/reveal`).then((r) => setRevealed((m) => ({ ...m, [id]: r.idToken })), setError);
  };
  const setTokenStatus = (t: Token, s: 'Accepted' | 'Blocked') => {
    setAsking(null);
    api<Token>('PATCH', `/tokens/${t.id}`, { status: s }).then(replace, setError);
  };

  return (
    <section>
      <h1>Tokens</h1>
      <p className="muted small">Tokens are shown by their pseudonym. Revealing a UID is recorded in the audit log.</p>
      <div className="filters" role="search">
        <Field label="Status">
          <select name="status" value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }}>
            <option value="">any</option><option>Accepted</option><option>Blocked</option><option>Expired</option><option>Invalid</option>
          </select>
        </Field>
      </div>
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="tokens-table">
            <thead><tr><th scope="col">Pseudonym</th><th scope="col">UID</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col">Group</th><th scope="col">Updated</th>{(manage || can('tokens:reveal')) && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {list.data?.items.map((t) => (
                <tr key={t.id} data-token={t.id}>
                  <td className="mono">{t.id}</td>
                  <td className="mono" data-testid="uid">{revealed[t.id] ?? '••••••'}</td>
                  <td>{t.type}</td>
                  <td><Badge value={t.status} /></td>
                  <td>{fmtTime(t.expiresAt)}</td>
                  <td className="mono">{t.group ?? '—'}</td>
                  <td>{fmtTime(t.updatedAt)}</td>
                  {(manage || can('tokens:reveal')) && (
                    <td className="row-actions">
                      {can('tokens:reveal') && !revealed[t.id] && <button type="button" onClick={() => reveal(t.id)} aria-label={`Reveal UID of ${t.id}`}>Reveal</button>}
                      {manage && (t.status === 'Blocked'
                        ? <button type="button" onClick={() => setAsking({ token: t, status: 'Accepted' })}>Unblock</button>
                        : <button type="button" className="danger" onClick={() => setAsking({ token: t, status: 'Blocked' })}>Block</button>)}
                      {manage && <button type="button" onClick={() => setEditing(t)}>Expiry</button>}
                    </td>
                  )}
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">No tokens.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      {asking && (
        <Confirm title={asking.status === 'Blocked' ? 'Block token' : 'Unblock token'} confirm={asking.status === 'Blocked' ? 'Block' : 'Unblock'} danger={asking.status === 'Blocked'}
          onConfirm={() => setTokenStatus(asking.token, asking.status)} onCancel={() => setAsking(null)}>
          <p>{asking.status === 'Blocked' ? 'Stations will refuse' : 'Stations will accept'} token <code>{asking.token.id}</code> from their next authorization on.</p>
        </Confirm>
      )}
      {editing && <ExpiryForm token={editing} onDone={(t) => { if (t) replace(t); setEditing(null); }} />}
      <UnknownAttempts />
      {manage && <NewToken onAdded={list.reload} />}
    </section>
  );
}

function ExpiryForm({ token, onDone }: { token: Token; onDone(t?: Token): void }) {
  const [at, setAt] = useState('');
  return (
    <div className="panel">
      <h2>Expiry of {token.id}</h2>
      <ActionForm submit="Save expiry" className="form inline" action={async () => onDone(await api<Token>('PATCH', `/tokens/${token.id}`, { expiresAt: isoOf(at) }))}>
        <Field label="Expires at (empty: never)"><input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} /></Field>
      </ActionForm>
      <button type="button" className="link" onClick={() => onDone()}>Cancel</button>
    </div>
  );
}

function NewToken({ onAdded }: { onAdded(): void }) {
  const [idToken, setIdToken] = useState('');
  const [type, setType] = useState('ISO14443');
  const [expires, setExpires] = useState('');
  return (
    <>
      <h2>Add a token</h2>
      <ActionForm submit="Add token" className="form inline" action={async () => {
        await post('/tokens', { idToken, type, expiresAt: isoOf(expires) });
        setIdToken('');
        onAdded();
      }}>
        <Field label="UID"><input required value={idToken} maxLength={36} autoComplete="off" onChange={(e) => setIdToken(e.target.value)} /></Field>
        <Field label="Type"><select value={type} onChange={(e) => setType(e.target.value)}>{TYPES.map((t) => <option key={t}>{t}</option>)}</select></Field>
        <Field label="Expires at"><input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} /></Field>
      </ActionForm>
    </>
  );
}

interface Attempt { transactionId: number; stationId: string; token: string; startedAt: string }

/** Sessions started with cards the platform does not know (pseudonyms only): misconfigured or foreign cards. */
function UnknownAttempts() {
  const [offset, setOffset] = useState(0);
  const list = useApi<{ items: Attempt[] }>(`/tokens/unknown-attempts${qs({ limit: 20, offset })}`);
  return (
    <>
      <h2>Unknown-token attempts</h2>
      <ErrorBox error={list.error} />
      {list.data && (list.data.items.length ? (
        <div className="table-wrap">
          <table data-testid="unknown-attempts">
            <thead><tr><th scope="col">When</th><th scope="col">Station</th><th scope="col">Token (pseudonym)</th></tr></thead>
            <tbody>{list.data.items.map((a) => <tr key={a.transactionId}><td>{fmtTime(a.startedAt)}</td><td>{a.stationId}</td><td className="mono">{a.token}</td></tr>)}</tbody>
          </table>
        </div>
      ) : <p className="muted">None recorded.</p>)}
      <Pager offset={offset} limit={20} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </>
  );
}
