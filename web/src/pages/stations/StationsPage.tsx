import { useState } from 'react';
import { Link } from 'react-router-dom';
import { qs, type Page } from '../../api/client';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Pager } from '../../components/Pager';
import type { Station } from './types';

interface ConnectorState { stationId: string; evseId: number; connectorId: number; status: string; errorCode: string | null; statusAt: string }

/** OCPP connector states of both versions (1.6 Charging…, 2.0.1 Occupied…) */
const connectorStatuses = ['Available', 'Occupied', 'Charging', 'Preparing', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'];

const PAGE = 50;
type Presence = '' | 'online' | 'offline';

/** Stations in scope, online state kept live from the event stream; search by id prefix, filters. */
export default function StationsPage() {
  const [idPrefix, setIdPrefix] = useState('');
  const [registrationStatus, setRegistration] = useState('');
  const [presence, setPresence] = useState<Presence>('');
  const [connector, setConnector] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useApi<Page<Station>>(`/stations${qs({ idPrefix, registrationStatus, limit: PAGE, offset, sort: 'id', order: 'asc' })}`);
  const patch = (stationId: string, change: Partial<Station>) =>
    list.set((old) => old && { ...old, items: old.items.map((s) => (s.id === stationId ? { ...s, ...change } : s)) });
  useLiveEvents(['station.connected', 'station.disconnected', 'station.booted'], (e) => {
    const d = e.data as { stationId: string; protocol?: string; registrationStatus?: string; boot?: { vendor?: string; model?: string; firmwareVersion?: string; serialNumber?: string } };
    if (e.type === 'station.connected') patch(d.stationId, { connected: true, lastSeenAt: e.time, ...(d.protocol && { protocol: d.protocol }) });
    else if (e.type === 'station.disconnected') patch(d.stationId, { connected: false, lastSeenAt: e.time });
    else {
      const b = d.boot ?? {};
      patch(d.stationId, {
        lastBootAt: e.time, ...(d.registrationStatus && { registrationStatus: d.registrationStatus }),
        ...(b.vendor && { vendor: b.vendor }), ...(b.model && { model: b.model }), ...(b.firmwareVersion && { firmwareVersion: b.firmwareVersion }), ...(b.serialNumber && { serialNumber: b.serialNumber }),
      });
    }
  });
  // connector states of the stations on this page, then kept live
  const ids = list.data?.items.map((s) => s.id) ?? [];
  const states = useApi<{ items: ConnectorState[] }>(ids.length ? `/connectors${qs({ stationIds: ids.join(',') })}` : null);
  useLiveEvents(['connector.status'], (e) => {
    const d = e.data as { stationId: string; evseId: number; connectorId: number; status: string; errorCode?: string };
    states.set((old) => old && {
      items: [...old.items.filter((c) => !(c.stationId === d.stationId && c.evseId === d.evseId && c.connectorId === d.connectorId)),
        { stationId: d.stationId, evseId: d.evseId, connectorId: d.connectorId, status: d.status, errorCode: d.errorCode ?? null, statusAt: e.time }],
    });
  });
  const connectorsOf = (id: string) => (states.data?.items ?? []).filter((c) => c.stationId === id).sort((a, b) => a.evseId - b.evseId || a.connectorId - b.connectorId);
  const shown = list.data?.items.filter((s) => (!presence || (presence === 'online') === s.connected)
    && (!connector || connectorsOf(s.id).some((c) => c.status === connector))) ?? [];
  return (
    <section>
      <h1>Stations</h1>
      <div className="filters" role="search">
        <Field label="Search id"><input type="search" name="idPrefix" value={idPrefix} onChange={(e) => { setIdPrefix(e.target.value); setOffset(0); }} placeholder="station id starts with…" /></Field>
        <Field label="Registration">
          <select name="registrationStatus" value={registrationStatus} onChange={(e) => { setRegistration(e.target.value); setOffset(0); }}>
            <option value="">any</option><option>Accepted</option><option>Pending</option><option>Rejected</option>
          </select>
        </Field>
        <Field label="Connection">
          <select name="presence" value={presence} onChange={(e) => setPresence(e.target.value as Presence)}>
            <option value="">any</option><option value="online">online</option><option value="offline">offline</option>
          </select>
        </Field>
        <Field label="A connector is">
          <select name="connectorStatus" value={connector} onChange={(e) => setConnector(e.target.value)}>
            <option value="">any</option>{connectorStatuses.map((c) => <option key={c}>{c}</option>)}
          </select>
        </Field>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="stations-table">
            <thead><tr><th scope="col">Station</th><th scope="col">Connection</th><th scope="col">Connectors</th><th scope="col">Registration</th><th scope="col">Protocol</th><th scope="col">Vendor / model</th><th scope="col">Firmware</th><th scope="col">Last seen</th></tr></thead>
            <tbody>
              {shown.map((s) => (
                <tr key={s.id} data-station={s.id}>
                  <td><Link to={`/stations/${encodeURIComponent(s.id)}`}>{s.id}</Link></td>
                  <td><Badge value={s.connected ? 'online' : 'offline'} /></td>
                  <td><span className="badges" data-testid="connector-states">{connectorsOf(s.id).map((c) => <span key={`${c.evseId}/${c.connectorId}`} title={`EVSE ${c.evseId} connector ${c.connectorId}`}><Badge value={c.status} /></span>)}</span></td>
                  <td><Badge value={s.decommissionedAt ? 'decommissioned' : s.registrationStatus} /></td>
                  <td>{s.protocol ?? '—'}</td>
                  <td>{[s.vendor, s.model].filter(Boolean).join(' ') || '—'}</td>
                  <td>{s.firmwareVersion ?? '—'}</td>
                  <td>{fmtTime(s.lastSeenAt)}</td>
                </tr>
              ))}
              {!shown.length && <tr><td colSpan={8} className="muted">No stations match.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
