import { useMemo } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { TimeChart } from '../../components/Chart';
import { saveCsv } from '../../components/csv';
import { Badge, ErrorBox, fmtKwh, fmtTime, Loading } from '../../components/ui';
import type { SessionDetail } from './types';

/** One session: facts and its meter curve (power and energy), following new readings while active. */
export default function SessionPage() {
  const { transactionId = '' } = useParams();
  const s = useApi<SessionDetail>(`/transactions/${encodeURIComponent(transactionId)}`);
  useLiveEvents(['meter.values', 'transaction.ended'], (e) => {
    if (Number((e.data as { transactionId?: number }).transactionId) === Number(transactionId)) s.reloadSoon();
  });
  const curve = s.data?.meterValues;
  const chart = useMemo(() => curve && {
    x: curve.map((p) => Date.parse(p.at) / 1000),
    values: [curve.map((p) => (p.powerW === null ? null : p.powerW / 1000)), curve.map((p) => (p.energyWh === null ? null : p.energyWh / 1000))],
  }, [curve]);
  if (s.error) return <section><h1>Session {transactionId}</h1><ErrorBox error={s.error} /></section>;
  const t = s.data;
  if (!t) return <Loading />;
  const exportCsv = () => saveCsv(`session-${t.id}-meter-values.csv`, ['at', 'energyWh', 'powerW', 'socPct'], t.meterValues.map((p) => [p.at, p.energyWh, p.powerW, p.socPct]));
  return (
    <section>
      <h1>Session #{t.id} <Badge value={t.state} /></h1>
      <dl className="facts">
        <dt>Station</dt><dd><Link to={`/stations/${encodeURIComponent(t.stationId)}`}>{t.stationId}</Link> (EVSE {t.evseId ?? '—'}, connector {t.connectorId ?? '—'})</dd>
        <dt>Transaction id</dt><dd>{t.transactionRef} ({t.protocol})</dd>
        <dt>Started</dt><dd>{fmtTime(t.startedAt)}</dd>
        <dt>Ended</dt><dd>{fmtTime(t.endedAt)}</dd>
        <dt>Charging state</dt><dd>{t.chargingState ?? '—'}</dd>
        <dt>Energy</dt><dd data-testid="session-energy">{fmtKwh(t.energySoFarWh)}{t.state === 'active' && ' so far'}</dd>
        <dt>Stop reason</dt><dd>{t.stopReason ?? '—'}</dd>
      </dl>
      <div className="filters"><button type="button" onClick={exportCsv} disabled={!t.meterValues.length}>Export meter values (CSV)</button></div>
      {chart && chart.x.length > 0 ? (
        <div className="charts">
          <TimeChart title="Meter values" x={chart.x} values={chart.values}
            series={[{ label: 'Power', unit: 'kW', stroke: '#0b5cad' }, { label: 'Energy register', unit: 'kWh', stroke: '#137333', scale: 'e' }]} />
        </div>
      ) : <p className="muted">No meter values yet.</p>}
    </section>
  );
}
