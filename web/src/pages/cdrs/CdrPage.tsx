import { Link, useParams } from 'react-router-dom';
import { qs, type Page } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { ErrorBox, fmtTime, Loading } from '../../components/ui';
import type { Session } from '../sessions/types';
import { fmtMoney, type Cdr } from './types';

/** One CDR: totals, location, charging periods, and a link to its session's meter curve. */
export default function CdrPage() {
  const { id = '' } = useParams();
  const { can } = useSession();
  const cdr = useApi<Cdr>(`/cdrs/${encodeURIComponent(id)}`);
  const c = cdr.data;
  // the CDR names its session by the station's transaction id: find the session among the station's
  const sessions = useApi<Page<Session>>(c && can('transactions:read') ? `/transactions${qs({ stationId: c.cdr_location.station_id, limit: 500 })}` : null);
  const session = c && sessions.data?.items.find((s) => s.transactionRef === c.session_id);
  if (cdr.error) return <section><h1>CDR {id}</h1><ErrorBox error={cdr.error} /></section>;
  if (!c) return <Loading />;
  const loc = c.cdr_location;
  return (
    <section>
      <h1>CDR {c.id}{c.credit && ' (credit)'}</h1>
      <dl className="facts">
        <dt>Session</dt><dd>{session ? <Link to={`/sessions/${session.id}`}>#{session.id} (meter curve)</Link> : c.session_id}</dd>
        <dt>Station</dt><dd>{loc.station_id} (EVSE {loc.ocpp_evse_id ?? '—'}, connector {loc.ocpp_connector_id ?? '—'})</dd>
        {loc.name && <><dt>Location</dt><dd>{[loc.name, loc.address, loc.city].filter(Boolean).join(', ')}</dd></>}
        <dt>Start / end</dt><dd>{fmtTime(c.start_date_time)} – {fmtTime(c.end_date_time)}</dd>
        <dt>Token</dt><dd className="small">{c.cdr_token.type} {c.cdr_token.uid ?? '—'} (pseudonym)</dd>
        <dt>Energy</dt><dd>{c.total_energy.toFixed(3)} kWh{c.total_energy_export ? `, exported ${c.total_energy_export.toFixed(3)} kWh` : ''}</dd>
        <dt>Time / parking</dt><dd>{c.total_time.toFixed(2)} h / {c.total_parking_time.toFixed(2)} h</dd>
        <dt>Cost</dt><dd>{fmtMoney(c.total_cost.excl_vat, c.currency)} excl. VAT, {fmtMoney(c.total_cost.incl_vat, c.currency)} incl. VAT</dd>
        {c.credit && <><dt>Credits</dt><dd>{c.credit_reference_id}: {c.credit_reason}</dd></>}
      </dl>
      <h2>Charging periods</h2>
      <div className="table-wrap">
        <table>
          <thead><tr><th scope="col">Start</th><th scope="col">Dimensions</th></tr></thead>
          <tbody>
            {c.charging_periods.map((p) => (
              <tr key={p.start_date_time}><td>{fmtTime(p.start_date_time)}</td><td>{p.dimensions.map((d) => `${d.type} ${d.volume}`).join(', ')}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
