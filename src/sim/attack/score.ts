import { idsClassOf, attackClasses, type AttackClass, type AttackInstance } from './types.js';

/** The part of an IDS alert the scoring reads (src/store/schema.ts IdsAlert). */
export interface ScoredAlert {
  class: string;
  rule: string;
  stationId: string | null;
  sourceIp: string | null;
  firstSeen: Date;
}

/** Alerts can be stamped a little before the label's start (clock reads on two sides of a socket). */
const SLACK_MS = 1000;

/**
 * Whether an alert detects an instance: same class, raised while or after the instance ran, and
 * naming the instance's station (any of them) — or, for alerts about an address only, its source.
 */
export function detects(alert: ScoredAlert, inst: AttackInstance): boolean {
  if (alert.class !== idsClassOf[inst.class]) return false;
  if (alert.firstSeen.getTime() < inst.startedAt - SLACK_MS) return false;
  if (alert.stationId !== null) return alert.stationId === inst.stationId || (inst.stations?.includes(alert.stationId) ?? false);
  return alert.sourceIp !== null && alert.sourceIp === inst.sourceIp;
}

export interface ClassScore {
  class: AttackClass;
  idsClass: string;
  instances: number;
  detected: number;
  alerts: number;
  /** alerts of the class that detect an instance of the class */
  truePositives: number;
  precision: number;
  recall: number;
  /** ms from an instance's start to its first matching alert */
  ttdMedianMs: number | null;
  ttdP95Ms: number | null;
  /** instances nothing detected */
  missed: string[];
  /** rules of the alerts that detect nothing */
  falseAlarms: string[];
}

const quantile = (sorted: number[], q: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Precision, recall and time to detect per attack class (precision 1 when a class raised no alert at all). */
export function score(instances: readonly AttackInstance[], alerts: readonly ScoredAlert[]): ClassScore[] {
  return attackClasses.map((cls) => {
    const mine = instances.filter((i) => i.class === cls);
    const ofClass = alerts.filter((a) => a.class === idsClassOf[cls]);
    const ttd: number[] = [];
    const missed: string[] = [];
    for (const inst of mine) {
      const first = ofClass.filter((a) => detects(a, inst)).reduce<number | undefined>((m, a) => Math.min(m ?? Infinity, a.firstSeen.getTime()), undefined);
      if (first === undefined) missed.push(inst.instance);
      else ttd.push(Math.max(0, first - inst.startedAt));
    }
    const tp = ofClass.filter((a) => mine.some((inst) => detects(a, inst)));
    ttd.sort((a, b) => a - b);
    return {
      class: cls, idsClass: idsClassOf[cls], instances: mine.length, detected: ttd.length, alerts: ofClass.length, truePositives: tp.length,
      precision: ofClass.length === 0 ? 1 : tp.length / ofClass.length,
      recall: mine.length === 0 ? 1 : ttd.length / mine.length,
      ttdMedianMs: quantile(ttd, 0.5), ttdP95Ms: quantile(ttd, 0.95), missed,
      falseAlarms: ofClass.filter((a) => !tp.includes(a)).map((a) => `${a.rule} ${a.stationId ?? a.sourceIp ?? ''}`),
    };
  });
}

/** Alerts that name one of the benign stations or addresses: the false positives on benign traffic. */
export function benignAlerts<A extends ScoredAlert>(alerts: readonly A[], benign: { stations: ReadonlySet<string>; addresses: ReadonlySet<string> }): A[] {
  return alerts.filter((a) => (a.stationId !== null && benign.stations.has(a.stationId)) || (a.stationId === null && a.sourceIp !== null && benign.addresses.has(a.sourceIp)));
}
