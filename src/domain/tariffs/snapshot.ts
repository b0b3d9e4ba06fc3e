/**
 * The tariff a session started under, as the CDR service records it: the tariff's identity and
 * the full version valid then. Snapshots taken before versions existed hold the flat prices,
 * which still price as the single element they always meant.
 */
import type { CdrTariffSnapshot, TariffRow, TariffVersionRow } from '../../store/schema.js';
import { TariffError } from './cost.js';
import { flatDefinition, type TariffDefinition } from './model.js';

/** A tariff with the version valid at the moment it was looked up. */
export type CurrentTariff = TariffRow & { current: TariffVersionRow };

export function tariffSnapshot(t: CurrentTariff): CdrTariffSnapshot {
  const d = t.current.definition;
  return { id: t.id, name: t.name, currency: d.currency, vatRate: d.vat_rate, version: t.current.version, validFrom: t.current.validFrom.toISOString(), definition: d };
}

/** The definition a snapshot prices by. @throws TariffError for a pre-0021 snapshot without prices */
export function definitionOf(s: CdrTariffSnapshot): TariffDefinition {
  if (s.definition) return s.definition;
  if (typeof s.pricePerKwh !== 'string' || typeof s.pricePerMinute !== 'string' || typeof s.startFee !== 'string') throw new TariffError(`tariff ${s.id} snapshot has no prices`);
  return flatDefinition({ currency: s.currency, vatRate: s.vatRate, pricePerKwh: s.pricePerKwh, pricePerMinute: s.pricePerMinute, startFee: s.startFee, v2gPricePerKwh: s.v2gPricePerKwh });
}
