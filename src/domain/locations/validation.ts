// Checks on a location that a JSON schema cannot express; each problem is named so the caller
// can fix all of them at once.
import type { OpeningTimes } from '../../store/schema.js';
import { isCountry } from './countries.js';

/** The canonical IANA name of a time zone, or undefined when the runtime's zone database does not know it. */
export function canonicalTimeZone(tz: string): string | undefined {
  // a leading letter keeps out offsets like "+01:00", which newer runtimes accept as zones
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function openingTimeProblems(o: OpeningTimes): string[] {
  const problems: string[] = [];
  const regular = o.regularHours ?? [];
  if (o.twentyfourseven && regular.length) problems.push('openingTimes: regularHours must be empty when twentyfourseven is true');
  if (!o.twentyfourseven && !regular.length) problems.push('openingTimes: regularHours needs at least one entry when twentyfourseven is false');
  regular.forEach((h, i) => {
    // "HH:MM" strings compare in time order; OCPI wants the end later than the begin
    if (h.periodEnd <= h.periodBegin) problems.push(`openingTimes.regularHours[${i}]: periodEnd must be later than periodBegin`);
  });
  for (const key of ['exceptionalOpenings', 'exceptionalClosings'] as const) {
    (o[key] ?? []).forEach((p, i) => {
      if (Date.parse(p.periodEnd) <= Date.parse(p.periodBegin)) problems.push(`openingTimes.${key}[${i}]: periodEnd must be later than periodBegin`);
    });
  }
  return problems;
}

/** Problems with the fields given (a PATCH checks only what it changes). */
export function locationProblems(l: { country?: string; timeZone?: string; openingTimes?: OpeningTimes | null }): string[] {
  const problems: string[] = [];
  if (l.country !== undefined && !isCountry(l.country)) problems.push('country: not an ISO 3166-1 alpha-3 code');
  if (l.timeZone !== undefined && !canonicalTimeZone(l.timeZone)) problems.push('timeZone: not an IANA time zone');
  if (l.openingTimes) problems.push(...openingTimeProblems(l.openingTimes));
  return problems;
}
