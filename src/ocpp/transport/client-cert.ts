import { X509Certificate } from 'node:crypto';
import { pemBlocks, x509 } from '../../domain/certificates/x509.js';
import type { RevocationCheck } from '../../domain/pki/revocation.js';

/** Why a station's client certificate is refused (recorded as the security event's reason). */
export type CertificateRejection =
  | 'Malformed' | 'UnknownIssuer' | 'Expired' | 'NotYetValid' | 'NotForClientAuth'
  | 'Revoked' | 'IdentityMismatch' | 'OrganizationMismatch';

export type CertificateVerdict =
  | { ok: true; subject: string; serial: string }
  | { ok: false; reason: CertificateRejection; subject?: string; serial?: string };

export interface ClientCertificatePolicy {
  /** the CSMS/CPO roots the chain must end in */
  roots: readonly X509Certificate[];
  /** the O the subject must carry; undefined = not checked */
  organization?: string;
  revocation: RevocationCheck;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
/** deeper chains than root → sub-CA → sub-CA → leaf are not a station's */
const MAX_DEPTH = 4;

/** serial as RevocationCheck wants it: lower-case hex without leading zeros */
const serialOf = (c: X509Certificate): string => c.serialNumber.toLowerCase().replace(/^0+(?=.)/, '');

function validity(c: X509Certificate, now: Date): 'Expired' | 'NotYetValid' | undefined {
  if (now.getTime() < Date.parse(c.validFrom)) return 'NotYetValid';
  if (now.getTime() > Date.parse(c.validTo)) return 'Expired';
  return undefined;
}

const issuedBy = (c: X509Certificate, issuer: X509Certificate): boolean => c.checkIssued(issuer) && c.verify(issuer.publicKey);

/**
 * Parses a chain as it arrives: DER certificates from the TLS socket (leaf first) or the
 * URL-encoded PEM a TLS-terminating proxy forwards. Undefined when nothing parses.
 */
export function parseChain(input: Buffer[] | string): X509Certificate[] | undefined {
  try {
    const certs = typeof input === 'string' ? pemBlocks(decodeURIComponent(input)).map((p) => new X509Certificate(p)) : input.map((d) => new X509Certificate(d));
    return certs.length > 0 ? certs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Security profile 3: the station's certificate chains to a configured root (through the
 * sub-CAs it presents), every link is within its validity, the leaf is meant for client
 * authentication and not revoked, its CN is the station identity and its O the CPO's.
 */
export async function verifyClientCertificate(
  chain: readonly X509Certificate[], identity: string, policy: ClientCertificatePolicy, now = new Date(),
): Promise<CertificateVerdict> {
  const leaf = chain[0]!;
  let names: x509.X509Certificate;
  try {
    names = new x509.X509Certificate(leaf.raw);
  } catch {
    return { ok: false, reason: 'Malformed' };
  }
  const seen = { subject: names.subject, serial: serialOf(leaf) };
  const refuse = (reason: CertificateRejection): CertificateVerdict => ({ ok: false, reason, ...seen });

  // the path: leaf, then presented CA certificates, until one is issued by a configured root
  const path: X509Certificate[] = [leaf];
  let root: X509Certificate | undefined;
  for (let current = leaf; path.length <= MAX_DEPTH;) {
    root = policy.roots.find((r) => issuedBy(current, r));
    if (root) break;
    const next = chain.find((c) => c.ca && !path.includes(c) && issuedBy(current, c));
    if (!next) break;
    path.push(next);
    current = next;
  }
  if (!root) return refuse('UnknownIssuer');
  for (const c of [...path, root]) {
    const outside = validity(c, now);
    if (outside) return refuse(outside);
  }
  const eku = leaf.keyUsage;
  if (leaf.ca || (eku && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU))) return refuse('NotForClientAuth');
  for (const c of path) {
    if (await policy.revocation.isRevoked({ serialNumber: serialOf(c), issuer: new x509.X509Certificate(c.raw).issuer })) return refuse('Revoked');
  }
  // exactly one CN and one O: a second value could be read differently elsewhere
  const only = (field: string): string | undefined => { const v = names.subjectName.getField(field); return v.length === 1 ? v[0] : undefined; };
  if (only('CN') !== identity) return refuse('IdentityMismatch');
  if (policy.organization !== undefined && only('O') !== policy.organization) return refuse('OrganizationMismatch');
  return { ok: true, ...seen };
}
