import type { MeterReading, Sample } from '../model.js';

const unitScale: Record<string, number> = { Wh: 1, kWh: 1000 };

/**
 * The energy register of a reading in Wh, for the given direction (Import: energy to the EV,
 * Export: energy back to the grid, V2X). Prefers the total over per-phase values.
 */
export function energyRegisterWh(reading: MeterReading, direction: 'Import' | 'Export' = 'Import'): number | undefined {
  const measurand = `Energy.Active.${direction}.Register`;
  let best: Sample | undefined;
  for (const s of reading.samples) {
    const m = s.measurand ?? 'Energy.Active.Import.Register';
    if (m !== measurand) continue;
    if (!best || (best.phase && !s.phase)) best = s;
  }
  if (!best) return undefined;
  const scale = unitScale[best.unit ?? 'Wh'];
  if (scale === undefined || !Number.isFinite(best.value)) return undefined;
  return best.value * scale * 10 ** (best.multiplier ?? 0);
}

/** The last energy register across readings, in Wh. */
export function lastEnergyWh(readings: readonly MeterReading[], direction: 'Import' | 'Export' = 'Import'): number | undefined {
  for (let i = readings.length - 1; i >= 0; i--) {
    const wh = energyRegisterWh(readings[i]!, direction);
    if (wh !== undefined) return wh;
  }
  return undefined;
}
