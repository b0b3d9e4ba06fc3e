import { BlockList, isIP } from 'node:net';
import type { MeterReading } from '../../domain/model.js';
import { familyOf, unmapped } from '../../net/address.js';


/**
 * Whether the second address lies outside the /16 (IPv4) or /48 (IPv6) of the first: the network a
 * station usually connects from. Addresses of different families (a dual-stack station picks either)
 * or that are not addresses at all cannot be compared: no change.
 */
export function networkChanged(before: string, after: string): boolean {
  const x = unmapped(before);
  const y = unmapped(after);
  const family = isIP(x);
  if (family === 0 || family !== isIP(y)) return false;
  // BlockList does the prefix arithmetic of both families; a connect is rare enough for one small list
  const net = new BlockList();
  net.addSubnet(x, family === 4 ? 16 : 48, familyOf(x));
  return !net.check(y, familyOf(y));
}

const powerScale: Record<string, number> = { W: 1, kW: 1000 };
const linePhases = new Set(['L1', 'L2', 'L3', 'L1-N', 'L2-N', 'L3-N']);

/**
 * The active power drawn (W) in a reading: its Power.Active.Import total, else the sum of its
 * per-phase values (line to neutral). Undefined when the reading carries none or an unknown unit.
 */
export function powerW(reading: MeterReading): number | undefined {
  let total: number | undefined;
  let phases: number | undefined;
  for (const s of reading.samples) {
    if (s.measurand !== 'Power.Active.Import') continue;
    const scale = powerScale[s.unit ?? 'W'];
    if (scale === undefined || !Number.isFinite(s.value)) continue;
    const w = s.value * scale * 10 ** (s.multiplier ?? 0);
    if (s.phase === undefined) total = w;
    else if (linePhases.has(s.phase)) phases = (phases ?? 0) + w;
  }
  return total ?? phases;
}
