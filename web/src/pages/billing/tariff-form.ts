/** The tariff editor's form state and its translation to the API's OCPI-shaped definition. */

export const COMPONENT_TYPES = ['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT', 'ENERGY_EXPORT'] as const;
export const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
/** the unit each component's price is per, as the editor labels it */
export const UNIT: Record<string, string> = { ENERGY: 'per kWh', TIME: 'per charging hour', PARKING_TIME: 'per parking hour', FLAT: 'per session', ENERGY_EXPORT: 'per exported kWh' };

export interface ComponentForm { type: string; price: string; stepSize: string }
export interface ElementForm { components: ComponentForm[]; startTime: string; endTime: string; days: string[] }
export interface TariffForm { name: string; currency: string; timeZone: string; vatRate: string; minPrice: string; maxPrice: string; elements: ElementForm[] }

export const emptyElement = (): ElementForm => ({ components: [{ type: 'ENERGY', price: '0.30', stepSize: '' }], startTime: '', endTime: '', days: [] });
export const emptyTariff = (): TariffForm => ({ name: '', currency: 'EUR', timeZone: 'Europe/Amsterdam', vatRate: '21', minPrice: '', maxPrice: '', elements: [emptyElement()] });

/** The API's definition (snake_case, OCPI 2.2.1 Tariff); empty fields are left out. */
export function definitionOf(f: TariffForm): Record<string, unknown> {
  return {
    currency: f.currency.trim().toUpperCase(), time_zone: f.timeZone.trim(), vat_rate: f.vatRate.trim(),
    ...(f.minPrice.trim() && { min_price: f.minPrice.trim() }),
    ...(f.maxPrice.trim() && { max_price: f.maxPrice.trim() }),
    elements: f.elements.map((e) => {
      const restrictions = {
        ...(e.startTime && { start_time: e.startTime }),
        ...(e.endTime && { end_time: e.endTime }),
        ...(e.days.length && { day_of_week: e.days }),
      };
      return {
        price_components: e.components.map((c) => ({ type: c.type, price: c.price.trim(), ...(c.stepSize.trim() && { step_size: Number(c.stepSize) }) })),
        ...(Object.keys(restrictions).length && { restrictions }),
      };
    }),
  };
}

/** A version of the API back into the form (to edit it into a new version). */
export function formOf(name: string, v: Record<string, unknown>): TariffForm {
  type El = { price_components: { type: string; price: string; step_size?: number }[]; restrictions?: { start_time?: string; end_time?: string; day_of_week?: string[] } };
  return {
    name, currency: String(v.currency), timeZone: String(v.time_zone), vatRate: String(v.vat_rate),
    minPrice: (v.min_price as string | null | undefined) ?? '', maxPrice: (v.max_price as string | null | undefined) ?? '',
    elements: (v.elements as El[]).map((e) => ({
      components: e.price_components.map((c) => ({ type: c.type, price: c.price, stepSize: c.step_size === undefined ? '' : String(c.step_size) })),
      startTime: e.restrictions?.start_time ?? '', endTime: e.restrictions?.end_time ?? '', days: e.restrictions?.day_of_week ?? [],
    })),
  };
}
