import { useState } from 'react';
import { post, qs } from '../../api/client';
import { useApi } from '../../api/use-api';
import { useSession } from '../../auth/session';
import { Badge, ErrorBox, Field, fmtTime, Loading } from '../../components/ui';
import { Confirm } from '../../components/Confirm';
import { Pager } from '../../components/Pager';

interface Ca { role: string; subject: string; notBefore: string; notAfter: string; fingerprint: string; hasKey: boolean }
interface Cert { serialNumber: string; stationId: string; certificateType: string; subject: string; notBefore: string; notAfter: string; revokedAt: string | null; revocationReason: string | null }
const PAGE = 50;
const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn'];

/** The CPO PKI: CA status, certificates issued to stations, revocation. */
export default function PkiPage() {
  const { can } = useSession();
  const [stationId, setStationId] = useState('');
  const [offset, setOffset] = useState(0);
  const status = useApi<{ items: Ca[] }>('/pki/status');
  const certs = useApi<{ items: Cert[] }>(`/pki/certificates${qs({ stationId: stationId.trim(), limit: PAGE, offset })}`);
  const [revoking, setRevoking] = useState<Cert | null>(null);
  const [reason, setReason] = useState('unspecified');
  const [error, setError] = useState<unknown>();
  const revoke = (c: Cert) => { setRevoking(null); setError(undefined); post(`/pki/certificates/${c.serialNumber}/revoke`, { reason }).then(certs.reload, setError); };
  return (
    <section>
      <h1>PKI</h1>
      <h2>Certificate authorities</h2>
      <ErrorBox error={status.error} />
      {status.data && (status.data.items.length ? (
        <div className="table-wrap">
          <table data-testid="ca-table">
            <thead><tr><th scope="col">Role</th><th scope="col">Subject</th><th scope="col">Valid until</th><th scope="col">Key held</th><th scope="col">SHA-256</th></tr></thead>
            <tbody>{status.data.items.map((c) => (
              <tr key={c.fingerprint}><td>{c.role}</td><td className="cell-text">{c.subject}</td><td>{fmtTime(c.notAfter)}</td><td>{c.hasKey ? 'yes' : 'no'}</td><td className="mono small wrap">{c.fingerprint}</td></tr>
            ))}</tbody>
          </table>
        </div>
      ) : <p className="muted">No PKI is set up (<code>ov2x pki init</code>).</p>)}
      <h2>Issued certificates</h2>
      <div className="filters" role="search"><Field label="Station"><input type="search" value={stationId} onChange={(e) => { setStationId(e.target.value); setOffset(0); }} /></Field></div>
      <ErrorBox error={error ?? certs.error} />
      {certs.loading && !certs.data ? <Loading /> : (
        <div className="table-wrap">
          <table data-testid="certs-table">
            <thead><tr><th scope="col">Serial</th><th scope="col">Station</th><th scope="col">Type</th><th scope="col">Valid until</th><th scope="col">State</th>{can('pki:manage') && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {certs.data?.items.map((c) => (
                <tr key={c.serialNumber}>
                  <td className="mono small">{c.serialNumber}</td>
                  <td>{c.stationId}</td>
                  <td>{c.certificateType}</td>
                  <td>{fmtTime(c.notAfter)}</td>
                  <td><Badge value={c.revokedAt ? 'revoked' : new Date(c.notAfter) < new Date() ? 'expired' : 'valid'} />{c.revocationReason && <span className="muted small"> {c.revocationReason}</span>}</td>
                  {can('pki:manage') && <td>{!c.revokedAt && <button type="button" className="danger" onClick={() => setRevoking(c)}>Revoke</button>}</td>}
                </tr>
              ))}
              {!certs.data?.items.length && <tr><td colSpan={6} className="muted">No certificates issued.</td></tr>}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} limit={PAGE} count={certs.data?.items.length ?? 0} onChange={setOffset} />
      {revoking && (
        <Confirm title="Revoke certificate" confirm="Revoke" danger onConfirm={() => revoke(revoking)} onCancel={() => setRevoking(null)}>
          <p>Station <strong>{revoking.stationId}</strong> is refused at its next TLS handshake with this certificate. This cannot be undone.</p>
          <Field label="Reason"><select value={reason} onChange={(e) => setReason(e.target.value)}>{REASONS.map((r) => <option key={r}>{r}</option>)}</select></Field>
        </Confirm>
      )}
    </section>
  );
}
