import { useState } from 'react';
import { post, qs, type Page } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { ActionForm, Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Pager } from '../../components/Pager';

interface Customer { id: number; reference: string; status: string; name: string | null; email: string | null; phone: string | null; billingAddress: { country: string } | null; createdAt: string }
const PAGE = 50;

/** Customers with personal fields masked; "Reveal" (customers:reveal) shows one in clear, audited. */
export default function CustomersPage() {
  const { can } = useSession();
  const [status, setStatus] = useState('');
  const [reference, setReference] = useState('');
  const [offset, setOffset] = useState(0);
  const ref = reference.trim().toUpperCase();
  const list = useApi<Page<Customer>>(`/customers${qs({ status, reference: /^C-[A-Z2-7]+$/.test(ref) ? ref : undefined, limit: PAGE, offset, sort: 'createdAt', order: 'desc' })}`);
  const [clear, setClear] = useState<Record<number, Customer>>({});
  const [error, setError] = useState<unknown>();
  const reveal = (id: number) => post<Customer>(`/customers/${id}/reveal`).then((c) => setClear((m) => ({ ...m, [id]: c })), setError);
  return (
    <section>
      <h1>Customers</h1>
      <div className="filters" role="search">
        <Field label="Customer number"><input type="search" value={reference} onChange={(e) => { setReference(e.target.value); setOffset(0); }} placeholder="C-…" /></Field>
        <Field label="Status"><select value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }}><option value="">any</option><option>active</option><option>erased</option></select></Field>
      </div>
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="customers-table">
            <thead><tr><th scope="col">Number</th><th scope="col">Status</th><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Phone</th><th scope="col">Country</th><th scope="col">Since</th>{can('customers:reveal') && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {list.data?.items.map((m) => {
                const c = clear[m.id] ?? m;
                return (
                  <tr key={m.id}>
                    <td className="mono">{c.reference}</td>
                    <td><Badge value={c.status} /></td>
                    <td>{c.name ?? '—'}</td>
                    <td>{c.email ?? '—'}</td>
                    <td>{c.phone ?? '—'}</td>
                    <td>{c.billingAddress?.country ?? '—'}</td>
                    <td>{fmtTime(c.createdAt)}</td>
                    {can('customers:reveal') && <td>{!clear[m.id] && m.status === 'active' && <button type="button" onClick={() => void reveal(m.id)}>Reveal</button>}</td>}
                  </tr>
                );
              })}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">No customers.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} total={list.data?.total} count={list.data?.items.length ?? 0} onChange={setOffset} />
      {can('customers:manage') && <NewCustomer onAdded={list.reload} />}
    </section>
  );
}

function NewCustomer({ onAdded }: { onAdded(): void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  return (
    <>
      <h2>Add a customer</h2>
      <ActionForm submit="Add customer" className="form inline" action={async () => {
        await post('/customers', { name, email });
        setName('');
        setEmail('');
        onAdded();
      }}>
        <Field label="Name"><input required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" /></Field>
        <Field label="E-mail"><input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" /></Field>
      </ActionForm>
    </>
  );
}
