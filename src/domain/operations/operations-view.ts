import type { Connector, MeterValue, Severity, Transaction } from '../../store/schema.js';
import type { OperationsRepo, Scope, ScopedTransactionQuery } from '../../store/repos/operations.js';
import type { Sample } from '../model.js';
import { samplesOf } from '../cdrs/periods.js';
import { energyRegisterWh } from '../transactions/meter.js';

export interface Dashboard {
  at: Date;
  stations: { total: number; online: number; offline: number; faulted: number };
  /** null: the caller may not see transactions */
  sessions: { active: number; startedToday: number; energyTodayWh: number; powerNowW: number } | null;
  hourly: Array<{ hour: Date; started: number; energyWh: number }> | null;
  /** null: the caller may not see security alerts */
  openAlerts: Record<Severity, number> | null;
}

/** One point of a session's meter curve. */
export interface CurvePoint { at: Date; energyWh: number | null; powerW: number | null; socPct: number | null }

/** a session sampled every 10 s for a day; longer ones show their start */
export const MAX_CURVE_POINTS = 10_000;

const powerScale: Record<string, number> = { W: 1, kW: 1000 };

/** Active import power (W) of a reading: the total when given, else the sum of the line phases. */
export function powerW(samples: readonly Sample[]): number | null {
  const power = samples.filter((s) => s.measurand === 'Power.Active.Import');
  const scaled = (s: Sample) => s.value * (powerScale[s.unit ?? 'W'] ?? NaN) * 10 ** (s.multiplier ?? 0);
  const total = power.find((s) => !s.phase);
  const value = total ? scaled(total) : power.filter((s) => /^L[123]$/.test(s.phase ?? '')).reduce((sum, s) => sum + scaled(s), 0);
  return (total || power.length) && Number.isFinite(value) ? value : null;
}

const soc = (samples: readonly Sample[]): number | null => samples.find((s) => s.measurand === 'SoC')?.value ?? null;

/** The curve of a session from its stored meter values (either OCPP version). */
export function curveOf(values: readonly MeterValue[]): CurvePoint[] {
  return values.map((v) => {
    const samples = samplesOf(v.sampledValue);
    return { at: v.sampledAt, energyWh: energyRegisterWh({ timestamp: v.sampledAt, samples, raw: [] }) ?? null, powerW: powerW(samples), socPct: soc(samples) };
  });
}

/** Energy a transaction has delivered so far (Wh): its own figure once ended, else the latest register minus the start. */
export function energySoFarWh(tx: Transaction, latest: MeterValue | undefined): number {
  if (tx.energyWh !== null) return tx.energyWh;
  if (!latest) return 0;
  const wh = energyRegisterWh({ timestamp: latest.sampledAt, samples: samplesOf(latest.sampledValue), raw: [] });
  return wh !== undefined && tx.meterStartWh !== null ? Math.max(0, wh - tx.meterStartWh) : 0;
}

/**
 * The operator dashboard within a caller's scope. "Today" starts at midnight UTC; its energy is
 * that of sessions ended today plus what active sessions have delivered so far. Power now is the
 * sum of the latest power reading of every active session.
 */
export class OperationsView {
  constructor(private readonly o: { repo: OperationsRepo; isConnected(stationId: string): boolean; now?: () => Date }) {}

  /** Connector states of the stations named that are in scope (the stations list shows them). */
  connectors(stationIds: readonly string[], groups: Scope): Promise<Connector[]> {
    return this.o.repo.connectors(stationIds, groups);
  }

  transactions(q: ScopedTransactionQuery): Promise<{ items: Transaction[]; total: number }> {
    return this.o.repo.transactions(q);
  }

  /** A transaction with its meter curve (the first MAX_CURVE_POINTS readings). */
  async transaction(id: number): Promise<{ tx: Transaction; curve: CurvePoint[]; energySoFarWh: number } | undefined> {
    const tx = await this.o.repo.transaction(id);
    if (!tx) return undefined;
    const values = await this.o.repo.meterValues(id, MAX_CURVE_POINTS);
    return { tx, curve: curveOf(values), energySoFarWh: energySoFarWh(tx, values.at(-1)) };
  }

  async dashboard(groups: Scope, may: { transactions: boolean; alerts: boolean }): Promise<Dashboard> {
    const { repo } = this.o;
    const at = this.o.now?.() ?? new Date();
    const midnight = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
    const [ids, faulted] = await Promise.all([repo.stationIds(groups), repo.faultedStations(groups)]);
    const online = ids.filter((id) => this.o.isConnected(id)).length;
    let sessions: Dashboard['sessions'] = null;
    let hourly: Dashboard['hourly'] = null;
    if (may.transactions) {
      const [active, today, hours] = await Promise.all([
        repo.activeWithLatestReading(groups), repo.since(groups, midnight), repo.hourly(groups, new Date(at.getTime() - 24 * 3600_000)),
      ]);
      let activeWh = 0;
      let power = 0;
      for (const { tx, latest } of active) {
        activeWh += energySoFarWh(tx, latest);
        power += (latest && powerW(samplesOf(latest.sampledValue))) ?? 0;
      }
      sessions = { active: active.length, startedToday: today.started, energyTodayWh: Math.round(today.endedEnergyWh + activeWh), powerNowW: Math.round(power) };
      hourly = hours;
    }
    return {
      at, stations: { total: ids.length, online, offline: ids.length - online, faulted }, sessions, hourly,
      openAlerts: may.alerts ? await repo.openAlerts(groups) : null,
    };
  }
}
