import { useParams } from 'react-router-dom';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { Badge, ErrorBox, fmtTime, Loading } from '../../components/ui';
import { StationCommands } from './StationCommands';
import { StationDiagnostics, StationHistory } from './StationHistory';
import { StationVariables } from './StationVariables';
import type { StationDetail } from './types';

/** One station: facts and its EVSEs/connectors, kept live from the event stream. */
export default function StationPage() {
  const { stationId = '' } = useParams();
  const station = useApi<StationDetail>(`/stations/${encodeURIComponent(stationId)}`);
  useLiveEvents(['connector.status', 'station.connected', 'station.disconnected', 'station.booted'], (e) => {
    const d = e.data as { stationId: string; evseId?: number; connectorId?: number; status?: string; errorCode?: string };
    if (d.stationId !== stationId) return;
    if (e.type === 'connector.status') {
      station.set((s) => {
        if (!s) return s;
        const others = s.connectors.filter((c) => !(c.evseId === d.evseId && c.connectorId === d.connectorId));
        const next = { evseId: d.evseId ?? 0, connectorId: d.connectorId ?? 0, status: d.status ?? 'Unknown', errorCode: d.errorCode ?? null, statusAt: e.time };
        return { ...s, connectors: [...others, next].sort((a, b) => a.evseId - b.evseId || a.connectorId - b.connectorId) };
      });
    } else station.reloadSoon();
  });
  if (station.error) return <section><h1>Station {stationId}</h1><ErrorBox error={station.error} /></section>;
  const s = station.data;
  if (!s) return <Loading />;
  return (
    <section>
      <h1>Station {s.id} <Badge value={s.connected ? 'online' : 'offline'} /></h1>
      <dl className="facts">
        <dt>Registration</dt><dd>{s.registrationStatus} ({s.onboarding})</dd>
        <dt>Protocol</dt><dd>{s.protocol ?? '—'}</dd>
        <dt>Security profile</dt><dd>{s.securityProfile}{s.securityProfileTarget !== null && ` → ${s.securityProfileTarget}`}</dd>
        <dt>Vendor / model</dt><dd>{[s.vendor, s.model].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Serial number</dt><dd>{s.serialNumber ?? '—'}</dd>
        <dt>Firmware</dt><dd>{s.firmwareVersion ?? '—'}</dd>
        <dt>Station group</dt><dd>{s.groupId ?? '—'}</dd>
        <dt>Last boot</dt><dd>{fmtTime(s.lastBootAt)}</dd>
        <dt>Last seen</dt><dd>{fmtTime(s.lastSeenAt)}</dd>
      </dl>
      <h2>EVSEs and connectors</h2>
      <div className="table-wrap">
        <table data-testid="connectors-table">
          <thead><tr><th scope="col">EVSE</th><th scope="col">Connector</th><th scope="col">Status</th><th scope="col">Error</th><th scope="col">Since</th></tr></thead>
          <tbody>
            {s.connectors.map((c) => (
              <tr key={`${c.evseId}/${c.connectorId}`} data-connector={`${c.evseId}/${c.connectorId}`}>
                <td>{c.evseId}</td><td>{c.connectorId}</td><td><Badge value={c.status} /></td><td>{c.errorCode ?? '—'}</td><td>{fmtTime(c.statusAt)}</td>
              </tr>
            ))}
            {!s.connectors.length && <tr><td colSpan={5} className="muted">No connector has reported yet.</td></tr>}
          </tbody>
        </table>
      </div>
      <StationCommands stationId={s.id} protocol={s.protocol} />
      <StationVariables stationId={s.id} />
      <StationHistory stationId={s.id} />
      <StationDiagnostics stationId={s.id} />
    </section>
  );
}
