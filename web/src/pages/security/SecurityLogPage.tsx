import { useState } from 'react';
import { qs } from '../../api/client';
import { useApi } from '../../api/use-api';
import { Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';

interface SecEvent { id: number; seq: number | null; occurredAt: string; stationId: string | null; type: string; severity: string; origin: string; sourceIp: string | null; actor: string | null; description: string | null; details: Record<string, unknown> }
interface ChainReport { ok: boolean; checked: number; anchor: { seq: number; kind: string; dropped: number }; head: { seq: number; hash: string }; broken?: { seq: number | null; id: number | null; reason: string } }

/** The hash-chained security log, newest first, with the result of verifying its chain. */
export default function SecurityLogPage() {
  const [stationId, setStationId] = useState('');
  const [limit, setLimit] = useState(100);
  const log = useApi<{ items: SecEvent[] }>(`/security/log${qs({ stationId: stationId.trim(), limit })}`);
  const chain = useApi<ChainReport>('/security/log/verify');
  return (
    <section>
      <h1>Security log</h1>
      <ChainStatus report={chain.data} error={chain.error} onVerify={chain.reload} busy={chain.loading} />
      <div className="filters" role="search">
        <Field label="Station"><input type="search" value={stationId} onChange={(e) => setStationId(e.target.value)} placeholder="station id" /></Field>
        <Field label="Show"><select value={limit} onChange={(e) => setLimit(Number(e.target.value))}><option value={100}>100</option><option value={500}>500</option></select></Field>
      </div>
      <ErrorBox error={log.error} />
      {log.loading && !log.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="security-log">
            <thead><tr><th scope="col">Seq</th><th scope="col">Occurred</th><th scope="col">Type</th><th scope="col">Severity</th><th scope="col">Origin</th><th scope="col">Station</th><th scope="col">Source</th><th scope="col">Actor</th><th scope="col">Description</th></tr></thead>
            <tbody>
              {log.data?.items.map((e) => (
                <tr key={e.id}>
                  <td className="num">{e.seq ?? '—'}</td>
                  <td>{fmtTime(e.occurredAt)}</td>
                  <td>{e.type}</td>
                  <td><Badge value={e.severity} /></td>
                  <td>{e.origin}</td>
                  <td>{e.stationId ?? '—'}</td>
                  <td>{e.sourceIp ?? '—'}</td>
                  <td>{e.actor ?? '—'}</td>
                  <td className="cell-text">{e.description ?? ''}</td>
                </tr>
              ))}
              {!log.data?.items.length && <tr><td colSpan={9} className="muted">No events.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ChainStatus({ report, error, onVerify, busy }: { report?: ChainReport; error: unknown; onVerify(): void; busy: boolean }) {
  return (
    <div className={`chain ${report ? (report.ok ? 'chain-ok' : 'chain-broken') : ''}`} role="status" data-testid="chain-status">
      <ErrorBox error={error} />
      {report && (report.ok
        ? <p><strong>Chain intact</strong>: {report.checked} records checked from the {report.anchor.kind} at #{report.anchor.seq} to the head #{report.head.seq}.</p>
        : <p><strong>Chain broken</strong> at #{report.broken?.seq ?? '?'}: {report.broken?.reason}</p>)}
      <button type="button" onClick={onVerify} disabled={busy}>Verify again</button>
    </div>
  );
}
