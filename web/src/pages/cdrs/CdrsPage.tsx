import { useState } from 'react';
import { Link } from 'react-router-dom';
import { download, qs, type Page } from '../../api/client';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { Pager } from '../../components/Pager';
import { ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { fmtMoney, type Cdr } from './types';

const PAGE = 50;
/** a date input's day as the start of that day in UTC (the API takes date-times) */
const dayStart = (d: string): string | undefined => (d ? new Date(`${d}T00:00:00Z`).toISOString() : undefined);

/** Charge detail records in scope, filtered by day range and station; CSV export of the same filter. */
export default function CdrsPage() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [stationId, setStationId] = useState('');
  const [offset, setOffset] = useState(0);
  const [exportError, setExportError] = useState<unknown>();
  const filter = { from: dayStart(from), to: to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString() : undefined, stationId: stationId.trim() };
  const list = useApi<Page<Cdr>>(`/cdrs${qs({ ...filter, limit: PAGE, offset, sort: 'startDateTime', order: 'desc' })}`);
  // a CDR is issued as its transaction ends
  useLiveEvents(['transaction.ended'], () => list.reloadSoon());
  const exportCsv = () => { setExportError(undefined); download(`/cdrs/export${qs({ format: 'csv', ...filter })}`, 'cdrs.csv').catch(setExportError); };
  return (
    <section>
      <h1>CDRs</h1>
      <div className="filters" role="search">
        <Field label="From (day)"><input type="date" name="from" value={from} onChange={(e) => { setFrom(e.target.value); setOffset(0); }} /></Field>
        <Field label="To (day, inclusive)"><input type="date" name="to" value={to} onChange={(e) => { setTo(e.target.value); setOffset(0); }} /></Field>
        <Field label="Station id"><input name="stationId" value={stationId} onChange={(e) => { setStationId(e.target.value); setOffset(0); }} placeholder="exact station id" /></Field>
        <button type="button" onClick={exportCsv}>Export CSV</button>
      </div>
      <ErrorBox error={exportError ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="cdrs-table">
            <thead><tr><th scope="col">CDR</th><th scope="col">Station</th><th scope="col">Start</th><th scope="col">End</th><th scope="col" className="num">Energy (kWh)</th><th scope="col" className="num">Time (h)</th><th scope="col" className="num">Cost incl. VAT</th><th scope="col">Credit</th></tr></thead>
            <tbody>
              {list.data?.items.map((c) => (
                <tr key={c.id} data-cdr={c.id} data-session={c.session_id}>
                  <td><Link to={`/cdrs/${c.id}`}>{c.id}</Link></td>
                  <td>{c.cdr_location.station_id}</td>
                  <td>{fmtTime(c.start_date_time)}</td>
                  <td>{fmtTime(c.end_date_time)}</td>
                  <td className="num">{c.total_energy.toFixed(3)}</td>
                  <td className="num">{c.total_time.toFixed(2)}</td>
                  <td className="num">{fmtMoney(c.total_cost.incl_vat, c.currency)}</td>
                  <td>{c.credit ? 'credit' : ''}</td>
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">No CDRs.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
    </section>
  );
}
