/** A billing period: a calendar month in UTC, `YYYY-MM`. */
export interface BillingPeriod {
  period: string;
  /** inclusive */
  start: Date;
  /** exclusive: the first instant of the next month */
  end: Date;
}

export const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * UTC months, so a period means the same on every node whatever its time zone; a session belongs
 * to the month its CDR was issued in (a correction or a CDR issued after that month's invoice
 * lands on the next one).
 * @throws RangeError for anything but `YYYY-MM`
 */
export function billingPeriod(period: string): BillingPeriod {
  const m = PERIOD.exec(period);
  if (!m) throw new RangeError(`period must be YYYY-MM, not ${JSON.stringify(period)}`);
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  return { period, start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

/** The month before the one `at` falls in: what a run at the start of a month bills. */
export function previousPeriod(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
