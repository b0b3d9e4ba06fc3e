import type { MeterReading, Sample } from '../../domain/model.js';
import type { MeterValuesRequest } from '../types/generated/v16.js';

type V16MeterValue = MeterValuesRequest['meterValue'][number];

/** 1.6 sends values as strings; signed or non-numeric values stay only in the verbatim copy. */
export function readingsOf(meterValues: V16MeterValue[] | undefined): MeterReading[] {
  if (!meterValues) return [];
  return meterValues.map((mv) => {
    const samples: Sample[] = [];
    for (const s of mv.sampledValue) {
      const value = s.format === 'SignedData' ? NaN : Number(s.value);
      if (Number.isFinite(value)) samples.push({ value, measurand: s.measurand, unit: s.unit, phase: s.phase, location: s.location, context: s.context });
    }
    return { timestamp: new Date(mv.timestamp), samples, raw: mv.sampledValue, context: mv.sampledValue[0]?.context };
  });
}
