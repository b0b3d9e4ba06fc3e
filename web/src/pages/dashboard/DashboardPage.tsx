import { useMemo } from 'react';
import { Link } from 'react-router-dom';
import { useLiveEvents } from '../../api/events';
import { useApi } from '../../api/use-api';
import { TimeChart } from '../../components/Chart';
import { ErrorBox, fmtKw, fmtKwh, Loading } from '../../components/ui';

interface Dashboard {
  at: string;
  stations: { total: number; online: number; offline: number; faulted: number };
  sessions: { active: number; startedToday: number; energyTodayWh: number; powerNowW: number } | null;
  hourly: Array<{ hour: string; started: number; energyWh: number }> | null;
  openAlerts: Record<'info' | 'warning' | 'high' | 'critical', number> | null;
}

const severities = ['critical', 'high', 'warning', 'info'] as const;

/** What the platform does now: stations, sessions, energy, power and open alerts, refreshed by live events. */
export default function DashboardPage() {
  const d = useApi<Dashboard>('/dashboard');
  // the figures are aggregates: a relevant event reloads them (the reload is cheap, the stream is not polled)
  useLiveEvents(['station.connected', 'station.disconnected', 'connector.status', 'transaction.started', 'transaction.ended', 'security.event'], () => d.reloadSoon());
  const hourly = d.data?.hourly;
  const at = d.data?.at;
  const chart = useMemo(() => hourly && at && last24Hours(at, hourly), [hourly, at]);
  if (d.error) return <section><h1>Dashboard</h1><ErrorBox error={d.error} /></section>;
  if (!d.data) return <Loading />;
  const { stations, sessions, openAlerts } = d.data;
  return (
    <section>
      <h1>Dashboard</h1>
      <h2>Stations</h2>
      <div className="cards" data-testid="station-cards">
        <Card label="Stations" value={stations.total} to="/stations" />
        <Card label="Online" value={stations.online} tone="ok" />
        <Card label="Offline" value={stations.offline} tone={stations.offline ? 'warn' : undefined} />
        <Card label="Faulted" value={stations.faulted} tone={stations.faulted ? 'bad' : undefined} />
      </div>
      {sessions && (
        <>
          <h2>Charging</h2>
          <div className="cards" data-testid="session-cards">
            <Card label="Active sessions" value={sessions.active} to="/sessions" />
            <Card label="Sessions started today" value={sessions.startedToday} />
            <Card label="Energy today" value={fmtKwh(sessions.energyTodayWh)} />
            <Card label="Power now" value={fmtKw(sessions.powerNowW)} />
          </div>
        </>
      )}
      {openAlerts && (
        <>
          <h2>Open security alerts</h2>
          <div className="cards" data-testid="alert-cards">
            {severities.map((s) => <Card key={s} label={s} value={openAlerts[s]} tone={openAlerts[s] && (s === 'critical' || s === 'high') ? 'bad' : undefined} />)}
          </div>
        </>
      )}
      <div className="charts">
        {chart && (
          <TimeChart title="Last 24 hours: energy of ended sessions and sessions started, per hour" x={chart.x} values={chart.values}
            series={[{ label: 'Energy', unit: 'kWh', stroke: '#0b5cad', bars: true }, { label: 'Sessions started', stroke: '#a15c00', scale: 'n' }]} />
        )}
      </div>
    </section>
  );
}

/** 24 hourly buckets ending with the current hour, zero where nothing happened. */
function last24Hours(at: string, hourly: NonNullable<Dashboard['hourly']>): { x: number[]; values: number[][] } {
  const hour = 3600;
  const now = Math.floor(Date.parse(at) / 1000 / hour) * hour;
  const x = Array.from({ length: 24 }, (_, i) => now - (23 - i) * hour);
  const byHour = new Map(hourly.map((h) => [Date.parse(h.hour) / 1000, h]));
  return { x, values: [x.map((t) => (byHour.get(t)?.energyWh ?? 0) / 1000), x.map((t) => byHour.get(t)?.started ?? 0)] };
}

function Card({ label, value, to, tone }: { label: string; value: number | string; to?: string; tone?: 'ok' | 'warn' | 'bad' }) {
  const body = <><div className="label">{label}</div><div className={tone ? `value tone-${tone}` : 'value'}>{value}</div></>;
  return <div className="card">{to ? <Link to={to}>{body}</Link> : body}</div>;
}
