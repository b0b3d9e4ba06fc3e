import { useState } from 'react';
import { post, qs, type Page } from '../../api/client';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Pager } from '../../components/Pager';

interface Alert {
  id: number; class: string; rule: string; severity: string; stationId: string | null; sourceIp: string | null;
  evidence: Record<string, unknown>; response: Record<string, unknown>; firstSeen: string; lastSeen: string; count: number;
  status: 'open' | 'acknowledged' | 'closed'; changedBy: string | null; changedAt: string | null;
}
const PAGE = 50;
/** what each status may become next, and the button that does it */
const next: Record<Alert['status'], { verb: 'acknowledge' | 'close'; label: string }[]> = {
  open: [{ verb: 'acknowledge', label: 'Acknowledge' }, { verb: 'close', label: 'Close' }],
  acknowledged: [{ verb: 'close', label: 'Close' }],
  closed: [],
};

/** Intrusion detection alerts with their evidence; new ones arrive over the event stream. */
export default function AlertsPage() {
  const { can } = useSession();
  const [status, setStatus] = useState('open');
  const [severity, setSeverity] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const list = useApi<Page<Alert>>(`/security/alerts${qs({ status, severity, limit: PAGE, offset })}`);
  useLiveEvents(['security.event'], () => list.reload());

  const act = (a: Alert, verb: 'acknowledge' | 'close') => {
    setError(undefined);
    post<Alert>(`/security/alerts/${a.id}/${verb}`).then(
      (changed) => list.set((old) => old && { ...old, items: old.items.map((x) => (x.id === a.id ? changed : x)) }),
      setError,
    );
  };

  return (
    <section>
      <h1>Security alerts</h1>
      <div className="filters" role="search">
        <Field label="Status">
          <select name="status" value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }}>
            <option value="">any</option><option value="open">open</option><option value="acknowledged">acknowledged</option><option value="closed">closed</option>
          </select>
        </Field>
        <Field label="Severity">
          <select name="severity" value={severity} onChange={(e) => { setSeverity(e.target.value); setOffset(0); }}>
            <option value="">any</option><option>info</option><option>warning</option><option>high</option><option>critical</option>
          </select>
        </Field>
        <button type="button" onClick={list.reload}>Refresh</button>
      </div>
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="alerts-table">
            <thead><tr><th scope="col">#</th><th scope="col">Class</th><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Station / source</th><th scope="col" className="num">Count</th><th scope="col">Last seen</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {list.data?.items.map((a) => (
                <AlertRow key={a.id} alert={a} expanded={open === a.id} manage={can('security:manage')}
                  onToggle={() => setOpen(open === a.id ? null : a.id)} onAct={(verb) => act(a, verb)} />
              ))}
              {!list.data?.items.length && <tr><td colSpan={9} className="muted">No alerts.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}

function AlertRow({ alert: a, expanded, manage, onToggle, onAct }: { alert: Alert; expanded: boolean; manage: boolean; onToggle(): void; onAct(verb: 'acknowledge' | 'close'): void }) {
  return (
    <>
      <tr data-alert={a.id} data-rule={a.rule}>
        <td>{a.id}</td>
        <td>{a.class}</td>
        <td>{a.rule}</td>
        <td><Badge value={a.severity} /></td>
        <td>{a.stationId ?? a.sourceIp ?? '—'}</td>
        <td className="num">{a.count}</td>
        <td>{fmtTime(a.lastSeen)}</td>
        <td><Badge value={a.status} />{a.changedBy && <span className="muted small"> by {a.changedBy}</span>}</td>
        <td className="row-actions">
          <button type="button" aria-expanded={expanded} onClick={onToggle}>Evidence</button>
          {manage && next[a.status].map((n) => <button key={n.verb} type="button" onClick={() => onAct(n.verb)}>{n.label}</button>)}
        </td>
      </tr>
      {expanded && (
        <tr className="detail-row">
          <td colSpan={9}>
            <dl className="facts">
              <dt>First seen</dt><dd>{fmtTime(a.firstSeen)}</dd>
              <dt>Source address</dt><dd>{a.sourceIp ?? '—'}</dd>
              <dt>Evidence</dt><dd><pre className="json" data-testid="evidence">{JSON.stringify(a.evidence, null, 2)}</pre></dd>
              <dt>Response</dt><dd><pre className="json">{JSON.stringify(a.response, null, 2)}</pre></dd>
            </dl>
          </td>
        </tr>
      )}
    </>
  );
}
