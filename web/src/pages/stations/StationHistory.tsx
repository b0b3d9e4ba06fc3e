import { useState } from 'react';
import { qs, type Page } from '../../api/client';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { Badge, ErrorBox, Field, fmtTime } from '../../components/ui';
import { historyKinds } from './commands';

interface JournalEntry {
  id: number; kind: string; action: string | null; status: string; failure: string | null; progress: string | null;
  command: unknown; response: unknown; createdAt: string; answeredAt: string | null;
}

/**
 * The station's command journal: firmware updates and log uploads with their progress, and the
 * answers of configuration, device-model and certificate reads (what the station reported).
 */
export function StationHistory({ stationId }: { stationId: string }) {
  const [kind, setKind] = useState('');
  const list = useApi<Page<JournalEntry>>(`/stations/${encodeURIComponent(stationId)}/commands${qs({ kind, limit: 25 })}`);
  useLiveEvents(['command.answered', 'command.progress'], (e) => { if ((e.data as { stationId?: string }).stationId === stationId) list.reloadSoon(); });
  return (
    <section aria-labelledby="hist-h">
      <h2 id="hist-h">Commands, configuration, certificates, firmware and logs</h2>
      <div className="filters">
        <Field label="Show">
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {historyKinds.map((k) => <option key={k.label} value={k.kinds}>{k.label}</option>)}
          </select>
        </Field>
      </div>
      <ErrorBox error={list.error} />
      <div className="table-wrap">
        <table data-testid="journal">
          <thead><tr><th scope="col">#</th><th scope="col">Command</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Sent</th><th scope="col">Answered</th><th scope="col">Answer</th></tr></thead>
          <tbody>
            {list.data?.items.map((c) => (
              <tr key={c.id} data-command={c.id}>
                <td>{c.id}</td><td>{c.kind}</td><td><Badge value={c.status} />{c.failure && <span className="small muted"> {c.failure}</span>}</td>
                <td>{c.progress ?? '—'}</td><td>{fmtTime(c.createdAt)}</td><td>{fmtTime(c.answeredAt)}</td>
                <td>{c.response !== null && c.response !== undefined ? <details><summary>show</summary><pre className="json">{JSON.stringify(c.response, null, 2)}</pre></details> : '—'}</td>
              </tr>
            ))}
            {!list.data?.items.length && <tr><td colSpan={7} className="muted">Nothing yet.</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface Diagnostics {
  connection: { connected: boolean; since: string | null; protocol: string | null; securityProfile: number | null; remoteAddress: string | null; clientCertificate: { subject: string; serialNumber: string; notAfter: string } | null };
  issuedCertificate: { serialNumber?: string; subject?: string; notBefore: string; notAfter: string } | null;
  recentFaults: Array<{ id: number; evseId: number; connectorId: number; status: string; errorCode: string | null; statusAt: string }>;
  securityEvents: Array<{ id: number; occurredAt: string; type: string; severity: string; origin: string; sourceIp: string | null }> | null;
  logUploads: Array<{ id: number; fileKind: string; originalName: string | null; size: number; receivedAt: string }>;
}

/** Connection, the certificate the platform issued, recent faults, security events and uploaded logs. */
export function StationDiagnostics({ stationId }: { stationId: string }) {
  const d = useApi<Diagnostics>(`/stations/${encodeURIComponent(stationId)}/diagnostics`);
  useLiveEvents(['security.event', 'station.connected', 'station.disconnected'], (e) => { if ((e.data as { stationId?: string }).stationId === stationId) d.reloadSoon(); });
  if (d.error) return <ErrorBox error={d.error} />;
  const x = d.data;
  if (!x) return null;
  return (
    <>
      <h2>Connection and certificates</h2>
      <dl className="facts">
        <dt>Connected since</dt><dd>{x.connection.connected ? fmtTime(x.connection.since) : 'not connected'}</dd>
        <dt>Remote address</dt><dd>{x.connection.remoteAddress ?? '—'}</dd>
        <dt>Client certificate</dt><dd>{x.connection.clientCertificate ? `${x.connection.clientCertificate.subject} (serial ${x.connection.clientCertificate.serialNumber}, until ${fmtTime(x.connection.clientCertificate.notAfter)})` : '—'}</dd>
        <dt>Certificate issued by the platform</dt><dd>{x.issuedCertificate ? `${x.issuedCertificate.subject ?? ''} serial ${x.issuedCertificate.serialNumber ?? '?'}, valid ${fmtTime(x.issuedCertificate.notBefore)} – ${fmtTime(x.issuedCertificate.notAfter)}` : '—'}</dd>
      </dl>
      <InstalledCertificates stationId={stationId} />
      {x.securityEvents && (
        <>
          <h2>Security events</h2>
          <div className="table-wrap">
            <table data-testid="security-events">
              <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Severity</th><th scope="col">Origin</th><th scope="col">Source</th></tr></thead>
              <tbody>
                {x.securityEvents.map((e) => <tr key={e.id}><td>{fmtTime(e.occurredAt)}</td><td>{e.type}</td><td><Badge value={e.severity} /></td><td>{e.origin}</td><td>{e.sourceIp ?? '—'}</td></tr>)}
                {!x.securityEvents.length && <tr><td colSpan={5} className="muted">None.</td></tr>}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h2>Recent faults and uploaded logs</h2>
      <ul>
        {x.recentFaults.map((f) => <li key={`f${f.id}`}>{fmtTime(f.statusAt)}: EVSE {f.evseId}/{f.connectorId} {f.status} {f.errorCode ?? ''}</li>)}
        {x.logUploads.map((l, i) => <li key={`l${i}`}>{fmtTime(l.receivedAt)}: log {l.originalName ?? l.fileKind} ({l.size} bytes)</li>)}
        {!x.recentFaults.length && !x.logUploads.length && <li className="muted">None.</li>}
      </ul>
    </>
  );
}

interface Installed { certificateType: string; serialNumber: string; hashAlgorithm: string; issuerNameHash: string; childCertificates: unknown[]; reportedAt: string }

/** The station's certificate inventory as it last reported it (refreshed by the "List installed certificates" command). */
function InstalledCertificates({ stationId }: { stationId: string }) {
  const list = useApi<{ items: Installed[] }>(`/stations/${encodeURIComponent(stationId)}/installed-certificates`);
  useLiveEvents(['command.answered'], (e) => { if ((e.data as { stationId?: string }).stationId === stationId) list.reloadSoon(); });
  return (
    <>
      <h3>Installed certificates</h3>
      <ErrorBox error={list.error} />
      <div className="table-wrap">
        <table data-testid="installed-certificates">
          <thead><tr><th scope="col">Type</th><th scope="col">Serial number</th><th scope="col">Issuer name hash</th><th scope="col">Children</th><th scope="col">Reported</th></tr></thead>
          <tbody>
            {list.data?.items.map((c) => (
              <tr key={`${c.certificateType}|${c.serialNumber}|${c.issuerNameHash}`}>
                <td>{c.certificateType}</td><td className="mono">{c.serialNumber}</td><td className="mono">{c.hashAlgorithm} {c.issuerNameHash.slice(0, 16)}…</td>
                <td className="num">{c.childCertificates.length}</td><td>{fmtTime(c.reportedAt)}</td>
              </tr>
            ))}
            {list.data && !list.data.items.length && <tr><td colSpan={5} className="muted">None reported yet.</td></tr>}
          </tbody>
        </table>
      </div>
    </>
  );
}
