import { useState } from 'react';
import { qs, type Page } from '../../api/client';
import { useApi } from '../../api/use-api';
import { Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Pager } from '../../components/Pager';

interface AuditRow { id: number; at: string; actor: string; actorKind: string; roles: string[]; action: string; target: string | null; result: string; sourceIp: string | null; details: Record<string, unknown> }
const PAGE = 100;

/** The audit trail, newest first, filtered by actor, action or target. */
export default function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [target, setTarget] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useApi<Page<AuditRow>>(`/audit${qs({ actor: actor.trim(), action: action.trim(), target: target.trim(), limit: PAGE, offset })}`);
  const filter = (set: (v: string) => void) => (e: { target: { value: string } }) => { set(e.target.value); setOffset(0); };
  return (
    <section>
      <h1>Audit log</h1>
      <div className="filters" role="search">
        <Field label="Actor"><input type="search" value={actor} onChange={filter(setActor)} /></Field>
        <Field label="Action"><input type="search" value={action} onChange={filter(setAction)} placeholder="token.reveal" /></Field>
        <Field label="Target"><input type="search" value={target} onChange={filter(setTarget)} /></Field>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="audit-table">
            <thead><tr><th scope="col">At</th><th scope="col">Actor</th><th scope="col">Roles</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Result</th><th scope="col">Source</th><th scope="col">Details</th></tr></thead>
            <tbody>
              {list.data?.items.map((r) => (
                <tr key={r.id}>
                  <td>{fmtTime(r.at)}</td>
                  <td>{r.actor}</td>
                  <td>{r.roles.join(', ')}</td>
                  <td className="mono">{r.action}</td>
                  <td className="mono">{r.target ?? '—'}</td>
                  <td><Badge value={r.result} /></td>
                  <td>{r.sourceIp ?? '—'}</td>
                  <td className="cell-text mono small">{Object.keys(r.details).length ? JSON.stringify(r.details) : ''}</td>
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">No records match.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
