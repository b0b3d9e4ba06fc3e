import { useState } from 'react';
import { Link } from 'react-router-dom';
import { qs, type Page } from '../../api/client';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { saveCsv } from '../../components/csv';
import { Pager } from '../../components/Pager';
import { Badge, ErrorBox, Field, fmtKwh, fmtTime, Loading } from '../../components/ui';
import type { Session } from './types';

const PAGE = 50;

/** Charging sessions, newest first; a session that starts or ends anywhere in scope shows up live. */
export default function SessionsPage() {
  const [state, setState] = useState('');
  const [stationId, setStationId] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useApi<Page<Session>>(`/transactions${qs({ state, stationId: stationId.trim(), limit: PAGE, offset })}`);
  useLiveEvents(['transaction.started', 'transaction.ended'], () => list.reloadSoon());
  const exportCsv = () => saveCsv('sessions.csv',
    ['id', 'stationId', 'evseId', 'connectorId', 'transactionRef', 'state', 'startedAt', 'endedAt', 'energyWh', 'stopReason'],
    (list.data?.items ?? []).map((s) => [s.id, s.stationId, s.evseId, s.connectorId, s.transactionRef, s.state, s.startedAt, s.endedAt, s.energyWh, s.stopReason]));
  return (
    <section>
      <h1>Sessions</h1>
      <div className="filters" role="search">
        <Field label="State">
          <select name="state" value={state} onChange={(e) => { setState(e.target.value); setOffset(0); }}>
            <option value="">any</option><option value="active">active</option><option value="ended">ended</option>
          </select>
        </Field>
        <Field label="Station id"><input name="stationId" value={stationId} onChange={(e) => { setStationId(e.target.value); setOffset(0); }} placeholder="exact station id" /></Field>
        <button type="button" onClick={exportCsv} disabled={!list.data?.items.length}>Export CSV (this page)</button>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="sessions-table">
            <thead><tr><th scope="col">Session</th><th scope="col">Station</th><th scope="col">EVSE / connector</th><th scope="col">State</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col" className="num">Energy</th><th scope="col">Stop reason</th></tr></thead>
            <tbody>
              {list.data?.items.map((s) => (
                <tr key={s.id} data-session={s.id} data-station={s.stationId}>
                  <td><Link to={`/sessions/${s.id}`}>#{s.id}</Link></td>
                  <td><Link to={`/stations/${encodeURIComponent(s.stationId)}`}>{s.stationId}</Link></td>
                  <td>{s.evseId ?? '—'} / {s.connectorId ?? '—'}</td>
                  <td><Badge value={s.state} /></td>
                  <td>{fmtTime(s.startedAt)}</td>
                  <td>{fmtTime(s.endedAt)}</td>
                  <td className="num">{fmtKwh(s.energyWh)}</td>
                  <td>{s.stopReason ?? '—'}</td>
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">No sessions.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
