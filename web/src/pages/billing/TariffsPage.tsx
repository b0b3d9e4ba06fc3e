import { useState } from 'react';
import { get, post, type ApiError } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { ErrorBox, fmtTime, Loading } from '../../components/ui';
import { TariffEditor } from './TariffEditor';
import { emptyTariff, formOf, type TariffForm } from './tariff-form';

interface Tariff { id: string; name: string; is_default: boolean; currency: string; vat_rate: string; updated_at: string }
interface TariffDetail extends Tariff { versions: (Record<string, unknown> & { version: number; valid_from: string })[]; stations: string[] }

/** Tariffs: the list, and an editor (new tariff, or a new version of one) with a live price preview. */
export default function TariffsPage() {
  const { can } = useSession();
  const list = useApi<{ items: Tariff[] }>('/tariffs');
  const [editing, setEditing] = useState<{ id: string | null; form: TariffForm } | null>(null);
  const [error, setError] = useState<ApiError | Error>();
  const manage = can('tariffs:manage');

  const edit = async (t: Tariff) => {
    const d = await get<TariffDetail>(`/tariffs/${t.id}`);
    const latest = d.versions[d.versions.length - 1]!;
    setEditing({ id: t.id, form: formOf(d.name, latest) });
  };
  const makeDefault = (t: Tariff) => post(`/tariffs/${t.id}/default`).then(list.reload, setError);

  return (
    <section>
      <h1>Tariffs</h1>
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="tariffs-table">
            <thead><tr><th scope="col">Name</th><th scope="col">Currency</th><th scope="col" className="num">VAT %</th><th scope="col">Default</th><th scope="col">Updated</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {list.data?.items.map((t) => (
                <tr key={t.id} data-tariff={t.name}>
                  <td>{t.name}</td>
                  <td>{t.currency}</td>
                  <td className="num">{t.vat_rate}</td>
                  <td>{t.is_default ? 'yes' : ''}</td>
                  <td>{fmtTime(t.updated_at)}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => { edit(t).catch(setError); }}>{manage ? 'Edit' : 'View & preview'}</button>
                    {manage && !t.is_default && <button type="button" onClick={() => { void makeDefault(t); }}>Make default</button>}
                  </td>
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={6} className="muted">No tariffs yet.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      {manage && !editing && <p><button type="button" className="primary" onClick={() => setEditing({ id: null, form: emptyTariff() })}>New tariff</button></p>}
      {editing && (
        <TariffEditor key={editing.id ?? 'new'} tariffId={editing.id} initial={editing.form} readOnly={!manage}
          onSaved={() => { setEditing(null); list.reload(); }} onCancel={() => setEditing(null)} />
      )}
    </section>
  );
}
