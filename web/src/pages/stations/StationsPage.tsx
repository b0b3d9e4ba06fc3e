import { useState } from 'react';
import { Link } from 'react-router-dom';
import { qs, type Page } from '../../api/client';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Pager } from '../../components/Pager';
import type { Station } from './types';

const PAGE = 50;
type Presence = '' | 'online' | 'offline';

/** Stations in scope, online state kept live from the event stream; search by id prefix, filters. */
export default function StationsPage() {
  const [idPrefix, setIdPrefix] = useState('');
  const [registrationStatus, setRegistration] = useState('');
  const [presence, setPresence] = useState<Presence>('');
  const [offset, setOffset] = useState(0);
  const list = useApi<Page<Station>>(`/stations${qs({ idPrefix, registrationStatus, limit: PAGE, offset, sort: 'id', order: 'asc' })}`);
  const patch = (stationId: string, change: Partial<Station>) =>
    list.set((old) => old && { ...old, items: old.items.map((s) => (s.id === stationId ? { ...s, ...change } : s)) });
  useLiveEvents(['station.connected', 'station.disconnected', 'station.booted'], (e) => {
    const d = e.data as { stationId: string; protocol?: string; registrationStatus?: string };
    if (e.type === 'station.connected') patch(d.stationId, { connected: true, lastSeenAt: e.time, ...(d.protocol && { protocol: d.protocol }) });
    else if (e.type === 'station.disconnected') patch(d.stationId, { connected: false, lastSeenAt: e.time });
    else patch(d.stationId, { lastBootAt: e.time, ...(d.registrationStatus && { registrationStatus: d.registrationStatus }) });
  });
  const shown = list.data?.items.filter((s) => !presence || (presence === 'online') === s.connected) ?? [];
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
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="stations-table">
            <thead><tr><th scope="col">Station</th><th scope="col">Connection</th><th scope="col">Registration</th><th scope="col">Protocol</th><th scope="col">Vendor / model</th><th scope="col">Firmware</th><th scope="col">Last seen</th></tr></thead>
            <tbody>
              {shown.map((s) => (
                <tr key={s.id} data-station={s.id}>
                  <td><Link to={`/stations/${encodeURIComponent(s.id)}`}>{s.id}</Link></td>
                  <td><Badge value={s.connected ? 'online' : 'offline'} /></td>
                  <td><Badge value={s.decommissionedAt ? 'decommissioned' : s.registrationStatus} /></td>
                  <td>{s.protocol ?? '—'}</td>
                  <td>{[s.vendor, s.model].filter(Boolean).join(' ') || '—'}</td>
                  <td>{s.firmwareVersion ?? '—'}</td>
                  <td>{fmtTime(s.lastSeenAt)}</td>
                </tr>
              ))}
              {!shown.length && <tr><td colSpan={7} className="muted">No stations match.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
