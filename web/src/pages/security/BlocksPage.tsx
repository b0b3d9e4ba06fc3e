import { useState } from 'react';
import { api, post } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { ActionForm, Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Confirm } from '../../components/Confirm';

interface Entry { id: number; list: 'block' | 'allow'; kind: 'ip' | 'cidr' | 'identity'; value: string; reason: string; createdBy: string; createdAt: string; expiresAt: string | null }

/** The IP / CIDR / identity block and allow lists: the allow list wins over every block. */
export default function BlocksPage() {
  const { can } = useSession();
  const list = useApi<{ items: Entry[] }>('/security/blocks');
  const [removing, setRemoving] = useState<Entry | null>(null);
  const [error, setError] = useState<unknown>();
  const remove = (e: Entry) => {
    setRemoving(null);
    setError(undefined);
    api('DELETE', `/security/blocks/${e.id}`).then(list.reload, setError);
  };
  return (
    <section>
      <h1>Block list</h1>
      <ErrorBox error={error ?? list.error} />
      {list.loading && !list.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="blocks-table">
            <thead><tr><th scope="col">List</th><th scope="col">Kind</th><th scope="col">Value</th><th scope="col">Reason</th><th scope="col">By</th><th scope="col">Since</th><th scope="col">Until</th>{can('security:manage') && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {list.data?.items.map((e) => (
                <tr key={e.id} data-entry={e.value}>
                  <td><Badge value={e.list} /></td>
                  <td>{e.kind}</td>
                  <td className="mono">{e.value}</td>
                  <td className="cell-text">{e.reason}</td>
                  <td>{e.createdBy}</td>
                  <td>{fmtTime(e.createdAt)}</td>
                  <td>{e.expiresAt ? fmtTime(e.expiresAt) : 'until removed'}</td>
                  {can('security:manage') && <td><button type="button" onClick={() => setRemoving(e)}>Remove</button></td>}
                </tr>
              ))}
              {!list.data?.items.length && <tr><td colSpan={8} className="muted">The lists are empty.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      {removing && (
        <Confirm title="Remove entry" confirm="Remove" onConfirm={() => remove(removing)} onCancel={() => setRemoving(null)}>
          <p>Remove <code>{removing.value}</code> from the {removing.list} list?</p>
        </Confirm>
      )}
      {can('security:manage') && <AddEntry onAdded={list.reload} />}
    </section>
  );
}

function AddEntry({ onAdded }: { onAdded(): void }) {
  const [listName, setList] = useState<'block' | 'allow'>('block');
  const [kind, setKind] = useState<'ip' | 'cidr' | 'identity'>('ip');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [hours, setHours] = useState('');
  return (
    <>
      <h2>Add an entry</h2>
      <ActionForm submit="Add" className="form inline" action={async () => {
        await post('/security/blocks', { list: listName, kind, value: value.trim(), reason, ttlS: hours ? Math.round(Number(hours) * 3600) : null });
        setValue('');
        setReason('');
        onAdded();
      }}>
        <Field label="List"><select value={listName} onChange={(e) => setList(e.target.value as 'block' | 'allow')}><option value="block">block</option><option value="allow">allow</option></select></Field>
        <Field label="Kind"><select value={kind} onChange={(e) => setKind(e.target.value as 'ip' | 'cidr' | 'identity')}><option value="ip">IP address</option><option value="cidr">CIDR range</option><option value="identity">station identity</option></select></Field>
        <Field label="Value"><input required value={value} maxLength={64} onChange={(e) => setValue(e.target.value)} placeholder="192.0.2.7" /></Field>
        <Field label="Reason"><input required value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} /></Field>
        <Field label="For hours (empty: until removed)"><input type="number" min="0.01" step="any" value={hours} onChange={(e) => setHours(e.target.value)} /></Field>
      </ActionForm>
    </>
  );
}
