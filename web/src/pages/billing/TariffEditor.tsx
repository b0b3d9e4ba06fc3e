import { useEffect, useState } from 'react';
import { post } from '../../api/client';
import { ActionForm, ErrorBox, Field } from '../../components/ui';
import { COMPONENT_TYPES, DAYS, definitionOf, emptyElement, UNIT, type ElementForm, type TariffForm } from './tariff-form';

interface Cost {
  currency: string;
  total_cost: { excl_vat: number; incl_vat: number };
  total_vat: number;
  charge: { min_price_applied: boolean; max_price_applied: boolean };
  dimensions: { type: string; volume: number; billed_volume: number; excl_vat: number }[];
}
interface Sample { start: string; hours: string; kwh: string; parking: string }

/** datetime-local of now, to the minute */
const nowLocal = (): string => {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/**
 * Edits a tariff (OCPI elements with price components and time/day restrictions). The preview
 * prices a sample session under the form as it stands, through POST /tariffs/preview, so it is
 * the platform's own pricing, never a second one in the browser.
 */
export function TariffEditor({ tariffId, initial, readOnly, onSaved, onCancel }: { tariffId: string | null; initial: TariffForm; readOnly: boolean; onSaved(): void; onCancel(): void }) {
  const [f, setF] = useState(initial);
  const set = (change: Partial<TariffForm>) => setF((old) => ({ ...old, ...change }));
  const setEl = (i: number, change: Partial<ElementForm>) => set({ elements: f.elements.map((e, j) => (j === i ? { ...e, ...change } : e)) });

  const save = async () => {
    const definition = definitionOf(f);
    if (tariffId === null) await post('/tariffs', { name: f.name.trim(), ...definition });
    else await post(`/tariffs/${tariffId}/versions`, definition);
    onSaved();
  };

  return (
    <div className="panel" data-testid="tariff-editor">
      <h2>{tariffId === null ? 'New tariff' : `Tariff ${f.name}`}</h2>
      <div className="editor">
        <fieldset disabled={readOnly} className="tariff-form">
          <legend className="muted small">{tariffId === null ? 'Definition' : 'Saving adds a new version, valid from now'}</legend>
          <div className="form inline">
            {tariffId === null && <Field label="Name"><input required value={f.name} maxLength={100} onChange={(e) => set({ name: e.target.value })} /></Field>}
            <Field label="Currency"><input value={f.currency} size={4} maxLength={3} onChange={(e) => set({ currency: e.target.value })} /></Field>
            <Field label="Time zone"><input value={f.timeZone} onChange={(e) => set({ timeZone: e.target.value })} /></Field>
            <Field label="VAT %"><input value={f.vatRate} size={5} inputMode="decimal" onChange={(e) => set({ vatRate: e.target.value })} /></Field>
            <Field label="Minimum price"><input value={f.minPrice} size={6} inputMode="decimal" onChange={(e) => set({ minPrice: e.target.value })} /></Field>
            <Field label="Maximum price"><input value={f.maxPrice} size={6} inputMode="decimal" onChange={(e) => set({ maxPrice: e.target.value })} /></Field>
          </div>
          {f.elements.map((el, i) => (
            <fieldset key={i} className="element">
              <legend>Element {i + 1}{i === 0 ? '' : ' (applies where the ones above do not)'}</legend>
              {el.components.map((c, k) => (
                <div className="form inline" key={k}>
                  <Field label="Component">
                    <select value={c.type} onChange={(e) => setEl(i, { components: el.components.map((x, m) => (m === k ? { ...x, type: e.target.value } : x)) })}>
                      {COMPONENT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
                    </select>
                  </Field>
                  <Field label={`Price ${UNIT[c.type] ?? ''}`}><input value={c.price} size={8} inputMode="decimal" onChange={(e) => setEl(i, { components: el.components.map((x, m) => (m === k ? { ...x, price: e.target.value } : x)) })} /></Field>
                  <Field label="Step size"><input value={c.stepSize} size={6} inputMode="numeric" placeholder="none" onChange={(e) => setEl(i, { components: el.components.map((x, m) => (m === k ? { ...x, stepSize: e.target.value } : x)) })} /></Field>
                  {el.components.length > 1 && <button type="button" onClick={() => setEl(i, { components: el.components.filter((_, m) => m !== k) })}>Remove component</button>}
                </div>
              ))}
              <div className="form inline">
                <Field label="From (HH:MM)"><input value={el.startTime} size={5} placeholder="any" pattern="[0-2][0-9]:[0-5][0-9]" onChange={(e) => setEl(i, { startTime: e.target.value })} /></Field>
                <Field label="Until (HH:MM)"><input value={el.endTime} size={5} placeholder="any" pattern="[0-2][0-9]:[0-5][0-9]" onChange={(e) => setEl(i, { endTime: e.target.value })} /></Field>
                <fieldset className="days"><legend className="small muted">Days (none: every day)</legend>
                  {DAYS.map((d) => (
                    <label key={d} className="check"><input type="checkbox" checked={el.days.includes(d)} onChange={(e) => setEl(i, { days: e.target.checked ? [...el.days, d] : el.days.filter((x) => x !== d) })} />{d.slice(0, 3)}</label>
                  ))}
                </fieldset>
              </div>
              <div className="row-actions">
                <button type="button" onClick={() => setEl(i, { components: [...el.components, { type: 'TIME', price: '0', stepSize: '' }] })}>Add component</button>
                {f.elements.length > 1 && <button type="button" onClick={() => set({ elements: f.elements.filter((_, j) => j !== i) })}>Remove element</button>}
              </div>
            </fieldset>
          ))}
          <button type="button" onClick={() => set({ elements: [...f.elements, emptyElement()] })}>Add element</button>
        </fieldset>
        <Preview form={f} />
      </div>
      {!readOnly && (
        <ActionForm submit={tariffId === null ? 'Create tariff' : 'Save new version'} className="form inline" action={save}>
          <span className="muted small">Sessions already started keep the version they started under.</span>
        </ActionForm>
      )}
      <button type="button" className="link" onClick={onCancel}>Close editor</button>
    </div>
  );
}

/** The price of a sample session under the form, asked again (debounced) whenever either changes. */
function Preview({ form }: { form: TariffForm }) {
  const [s, setS] = useState<Sample>({ start: nowLocal(), hours: '2', kwh: '20', parking: '0' });
  const [cost, setCost] = useState<Cost>();
  const [error, setError] = useState<unknown>();
  const body = JSON.stringify({ form, s });
  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      const start = new Date(s.start);
      const end = new Date(start.getTime() + Number(s.hours) * 3_600_000);
      post<Cost>('/tariffs/preview', {
        tariff: definitionOf(form),
        session: { start: start.toISOString(), end: end.toISOString(), energy_kwh: Number(s.kwh), parking_minutes: Number(s.parking) },
      }).then((c) => { if (live) { setCost(c); setError(undefined); } }, (e: unknown) => { if (live) { setCost(undefined); setError(e); } });
    }, 300);
    return () => { live = false; window.clearTimeout(timer); };
    // the serialized form and sample are the dependency: a new object with the same content asks nothing
  }, [body]);
  const money = (n: number) => `${n.toFixed(2)} ${cost?.currency ?? ''}`;
  return (
    <aside className="preview" aria-labelledby="preview-h">
      <h3 id="preview-h">Price preview</h3>
      <div className="form">
        <Field label="Session start"><input type="datetime-local" value={s.start} onChange={(e) => setS({ ...s, start: e.target.value })} /></Field>
        <Field label="Duration (hours)"><input type="number" min="0" step="any" value={s.hours} onChange={(e) => setS({ ...s, hours: e.target.value })} /></Field>
        <Field label="Energy (kWh)"><input type="number" min="0" step="any" value={s.kwh} onChange={(e) => setS({ ...s, kwh: e.target.value })} /></Field>
        <Field label="Parked at the end (minutes)"><input type="number" min="0" step="any" value={s.parking} onChange={(e) => setS({ ...s, parking: e.target.value })} /></Field>
      </div>
      <ErrorBox error={error} />
      {cost && (
        <div aria-live="polite">
          <table className="compact">
            <tbody>
              {cost.dimensions.map((d) => <tr key={d.type}><th scope="row">{d.type}</th><td className="num">{d.billed_volume}</td><td className="num">{money(d.excl_vat)}</td></tr>)}
              <tr><th scope="row">VAT</th><td /><td className="num">{money(cost.total_vat)}</td></tr>
              <tr><th scope="row">Total</th><td /><td className="num" data-testid="preview-total">{money(cost.total_cost.incl_vat)}</td></tr>
            </tbody>
          </table>
          {cost.charge.min_price_applied && <p className="small muted">Minimum price applied.</p>}
          {cost.charge.max_price_applied && <p className="small muted">Maximum price applied.</p>}
        </div>
      )}
    </aside>
  );
}
