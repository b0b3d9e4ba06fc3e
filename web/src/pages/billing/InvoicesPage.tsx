import { useState } from 'react';
import { download, post, qs, type Page } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { ActionForm, Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Confirm } from '../../components/Confirm';
import { Pager } from '../../components/Pager';

interface Invoice { id: string; number: string | null; status: string; customerId: string; customerReference: string; period: string; currency: string; totalExclVat: number; totalInclVat: number; issuedAt: string | null; paidAt: string | null }
const PAGE = 50;
/** minor units (cents) → the amount, with the currency's own number of decimals (ISO 4217, as the platform bills) */
function amount(minor: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
}
/** the action each status allows next (invoices:manage) */
const actions: Record<string, { verb: string; label: string }[]> = { draft: [{ verb: 'issue', label: 'Issue' }], issued: [{ verb: 'pay', label: 'Mark paid' }] };

/** Invoices: list and filter, download the PDF, issue drafts, mark paid; the monthly run. */
export default function InvoicesPage() {
  const { can } = useSession();
  const [status, setStatus] = useState('');
  const [period, setPeriod] = useState('');
  const [offset, setOffset] = useState(0);
  const [error, setError] = useState<unknown>();
  const [voiding, setVoiding] = useState<Invoice | null>(null);
  const [reason, setReason] = useState('');
  const list = useApi<Page<Invoice>>(`/invoices${qs({ status, period: /^\d{4}-\d{2}$/.test(period) ? period : undefined, limit: PAGE, offset })}`);
  const act = (i: Invoice, verb: string) => { setError(undefined); post(`/invoices/${i.id}/${verb}`).then(list.reload, setError); };
  const voidIt = (i: Invoice) => { setVoiding(null); setError(undefined); post(`/invoices/${i.id}/void`, { reason }).then(list.reload, setError); };
  const pdf = (i: Invoice) => { setError(undefined); download(`/invoices/${i.id}/pdf`, `${i.number ?? `draft-${i.id}`}.pdf`).catch(setError); };
  return (
    <section>
      <h1>Invoices</h1>
      <div className="filters" role="search">
        <Field label="Status"><select value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }}><option value="">any</option><option>draft</option><option>issued</option><option>paid</option><option>void</option></select></Field>
        <Field label="Month"><input type="month" value={period} onChange={(e) => { setPeriod(e.target.value); setOffset(0); }} /></Field>
      </div>
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="invoices-table">
            <thead><tr><th scope="col">Number</th><th scope="col">Customer</th><th scope="col">Month</th><th scope="col">Status</th><th scope="col" className="num">Excl. VAT</th><th scope="col" className="num">Incl. VAT</th><th scope="col">Issued</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              {list.data?.items.map((i) => (
                <tr key={i.id} data-invoice={i.id}>
                  <td>{i.number ?? <span className="muted">draft #{i.id}</span>}</td>
                  <td className="mono">{i.customerReference}</td>
                  <td>{i.period}</td>
                  <td><Badge value={i.status} /></td>
                  <td className="num">{amount(i.totalExclVat, i.currency)}</td>
                  <td className="num">{amount(i.totalInclVat, i.currency)}</td>
                  <td>{fmtTime(i.issuedAt)}</td>
                  <td className="row-actions">
                    <button type="button" onClick={() => pdf(i)} aria-label={`PDF of ${i.number ?? `draft ${i.id}`}`}>PDF</button>
                    {can('invoices:manage') && (actions[i.status] ?? []).map((a) => <button key={a.verb} type="button" onClick={() => act(i, a.verb)}>{a.label}</button>)}
                    {can('invoices:manage') && (i.status === 'issued' || i.status === 'paid') && <button type="button" className="danger" onClick={() => { setReason(''); setVoiding(i); }}>Void</button>}
                  </td>
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">No invoices.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      {voiding && (
        <Confirm title={`Void invoice ${voiding.number ?? ''}`} confirm="Void" danger onConfirm={() => voidIt(voiding)} onCancel={() => setVoiding(null)}>
          <p>The invoice keeps its number and lines; a voided invoice cannot be issued again.</p>
          <Field label="Reason (at least 3 characters)"><input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} /></Field>
        </Confirm>
      )}
      {can('invoices:manage') && <Run onDone={list.reload} />}
    </section>
  );
}

function Run({ onDone }: { onDone(): void }) {
  const [period, setPeriod] = useState('');
  const [result, setResult] = useState<{ customers: number; drafts: number; issued: number; failed: number[] }>();
  return (
    <>
      <h2>Monthly run</h2>
      <ActionForm submit="Build drafts" className="form inline" action={async () => { setResult(await post('/invoices/run', { period, issue: false })); onDone(); }}>
        <Field label="Month"><input type="month" required value={period} onChange={(e) => setPeriod(e.target.value)} /></Field>
      </ActionForm>
      {result && <p role="status">{result.customers} customers, {result.drafts} drafts{result.failed.length ? `, ${result.failed.length} failed` : ''}.</p>}
    </>
  );
}
