import type { MeterReading } from '../../domain/model.js';
import type { MeterValueType } from '../types/generated/v201.js';

/** 2.0.1 values are numbers with an optional unit and power-of-ten multiplier. */
export function readingsOf(meterValues: MeterValueType[] | undefined): MeterReading[] {
  if (!meterValues) return [];
  return meterValues.map((mv) => ({
    timestamp: new Date(mv.timestamp),
    samples: mv.sampledValue.map((s) => ({
      value: s.value, measurand: s.measurand, unit: s.unitOfMeasure?.unit, multiplier: s.unitOfMeasure?.multiplier,
      phase: s.phase, location: s.location, context: s.context,
    })),
    raw: mv.sampledValue,
    context: mv.sampledValue[0]?.context,
  }));
}
