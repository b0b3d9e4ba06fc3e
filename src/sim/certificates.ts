// Certificate management as a simulated station does it, for both versions: it keeps the root
// certificates it was given, generates a key and a CSR when asked to renew its own certificate,
// checks the certificate the CSMS signs for it, and reports what it has installed.
import { webcrypto } from 'node:crypto';
import { CertificateError, certificateHashData, pemBlocks, x509 } from '../domain/certificates/x509.js';
import type { Actions as V16 } from '../ocpp/types/generated/v16.js';
import type { Actions as V201 } from '../ocpp/types/generated/v201.js';
import type { CertificateHashData } from '../store/schema.js';
import type { CommandTable } from './commands.js';
import type { SimulatedStation } from './station.js';

export type SignedType = 'ChargingStationCertificate' | 'V2GCertificate';

export interface SimCertificate {
  /** in the station's own version's vocabulary, e.g. CentralSystemRootCertificate (1.6) */
  type: string;
  pem: string;
  hash: CertificateHashData;
}

export interface SimCertificateState {
  installed: SimCertificate[];
  /** the public key (SPKI DER) of the last CSR per certificate type, until its certificate arrives */
  pending: Partial<Record<SignedType, Buffer>>;
  /** the chains accepted with CertificateSigned */
  signed: Partial<Record<SignedType, string>>;
  /** network profiles by configuration slot (2.0.1) */
  networkProfiles: Map<number, V201['SetNetworkProfile']['request']['connectionData']>;
  /** the security profile the station connects with now */
  securityProfile: number;
}

const states = new WeakMap<SimulatedStation, SimCertificateState>();

/** The station's certificate state (created empty on first use). */
export function certificatesOf(st: SimulatedStation): SimCertificateState {
  let s = states.get(st);
  if (!s) {
    s = { installed: [], pending: {}, signed: {}, networkProfiles: new Map(), securityProfile: 1 };
    states.set(st, s);
  }
  return s;
}

const sameHash = (a: CertificateHashData, b: CertificateHashData) =>
  a.hashAlgorithm === b.hashAlgorithm && a.issuerNameHash.toLowerCase() === b.issuerNameHash.toLowerCase()
  && a.issuerKeyHash.toLowerCase() === b.issuerKeyHash.toLowerCase()
  && a.serialNumber.replace(/^0+(?=.)/, '').toLowerCase() === b.serialNumber.replace(/^0+(?=.)/, '').toLowerCase();

const hashOf = (h: CertificateHashData) => ({ hashAlgorithm: h.hashAlgorithm as 'SHA256', issuerNameHash: h.issuerNameHash, issuerKeyHash: h.issuerKeyHash, serialNumber: h.serialNumber });

/** A refused CSMS root is a security event (whitepaper / 2.0.1 A00: InvalidCentralSystemCertificate / InvalidCsmsCertificate). */
const csmsRootTypes = new Set(['CentralSystemRootCertificate', 'CSMSRootCertificate']);

/** Installs a root certificate; false when the PEM is not one certificate. */
function install(st: SimulatedStation, type: string, pem: string): boolean {
  let hash: CertificateHashData | undefined;
  try {
    if (pemBlocks(pem).length === 1) hash = certificateHashData(pem);
  } catch (err) {
    if (!(err instanceof CertificateError)) throw err;
  }
  if (!hash) {
    if (csmsRootTypes.has(type)) st.after(() => securityEvent(st, st.protocol === '1.6' ? 'InvalidCentralSystemCertificate' : 'InvalidCsmsCertificate', 'refused a root certificate that does not parse'));
    return false;
  }
  const s = certificatesOf(st);
  s.installed = s.installed.filter((c) => !sameHash(c.hash, hash));
  s.installed.push({ type, pem, hash });
  return true;
}

function remove(st: SimulatedStation, hash: CertificateHashData): boolean {
  const s = certificatesOf(st);
  const before = s.installed.length;
  s.installed = s.installed.filter((c) => !sameHash(c.hash, hash));
  return s.installed.length < before;
}

const signAlgorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * Generates a fresh key and sends its CSR with SignCertificate (what the station does when
 * triggered, A02/A03 and whitepaper use case A02). The subject names the station: CN its
 * identity, O its vendor.
 */
export async function requestCertificate(st: SimulatedStation, type: SignedType): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(signAlgorithm, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: [st.identity] }, { O: [st.vendor] }], keys, signingAlgorithm: signAlgorithm });
  certificatesOf(st).pending[type] = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  const payload = st.protocol === '1.6' ? { csr: csr.toString('pem') } : { csr: csr.toString('pem'), certificateType: type };
  const r = await st.call('SignCertificate', payload);
  return String(r.status);
}

/** Why a signed chain is refused, or undefined when its leaf certifies the key of our last CSR. */
function chainProblem(st: SimulatedStation, chain: string, type: SignedType): string | undefined {
  const blocks = pemBlocks(chain);
  if (blocks.length === 0) return 'not a PEM certificate chain';
  let leaf: x509.X509Certificate;
  try {
    leaf = new x509.X509Certificate(blocks[0]!);
    for (const b of blocks.slice(1)) new x509.X509Certificate(b);
  } catch {
    return 'the chain does not parse';
  }
  const key = certificatesOf(st).pending[type];
  if (!key) return 'no certificate signing request is outstanding';
  if (!Buffer.from(leaf.publicKey.rawData).equals(key)) return 'the certificate is not for the key of the last CSR';
  const now = new Date();
  if (leaf.notBefore > now || leaf.notAfter < now) return 'the certificate is not valid now';
  return undefined;
}

/** CertificateSigned: Accepted and kept, or Rejected with a SecurityEventNotification (A02.FR.xx / whitepaper). */
function certificateSigned(st: SimulatedStation, chain: string, type: SignedType): 'Accepted' | 'Rejected' {
  const problem = chainProblem(st, chain, type);
  const s = certificatesOf(st);
  if (problem) {
    const eventType = st.protocol === '1.6' ? 'InvalidChargePointCertificate' : 'InvalidChargingStationCertificate';
    st.after(() => securityEvent(st, eventType, problem));
    return 'Rejected';
  }
  s.signed[type] = chain;
  delete s.pending[type];
  // the V2G chain is reported by GetInstalledCertificateIds; the station certificate is not
  if (type === 'V2GCertificate' && pemBlocks(chain).length > 1) {
    const hash = certificateHashData(chain);
    s.installed = s.installed.filter((c) => c.type !== 'V2GCertificateChain');
    s.installed.push({ type: 'V2GCertificateChain', pem: chain, hash });
  }
  return 'Accepted';
}

export function securityEvent(st: SimulatedStation, type: string, techInfo?: string): Promise<unknown> {
  return st.call('SecurityEventNotification', { type, timestamp: new Date().toISOString(), ...(techInfo !== undefined && { techInfo: techInfo.slice(0, 255) }) });
}

const rejected = { status: 'Rejected' } as const;
type CertificateIdUse = NonNullable<V201['GetInstalledCertificateIds']['request']['certificateType']>[number];

/** 1.6 Security Whitepaper certificate commands as a charge point answers them. */
export const certificateCommands16: CommandTable<V16> = {
  CertificateSigned: {
    answer: (req, st) => ({ status: certificateSigned(st, req.certificateChain, 'ChargingStationCertificate') }),
    refuse: () => rejected,
  },
  InstallCertificate: {
    answer: (req, st) => ({ status: install(st, req.certificateType, req.certificate) ? 'Accepted' : 'Rejected' }),
    refuse: () => rejected,
  },
  DeleteCertificate: {
    answer: (req, st) => ({ status: remove(st, req.certificateHashData) ? 'Accepted' : 'NotFound' }),
    refuse: () => ({ status: 'Failed' }),
  },
  GetInstalledCertificateIds: {
    answer(req, st) {
      const found = certificatesOf(st).installed.filter((c) => c.type === req.certificateType).map((c) => hashOf(c.hash));
      return found.length ? { status: 'Accepted', certificateHashData: found as [ReturnType<typeof hashOf>, ...ReturnType<typeof hashOf>[]] } : { status: 'NotFound' };
    },
    refuse: () => ({ status: 'NotFound' }),
  },
};

/** 2.0.1 certificate commands (blocks A and M) and SetNetworkProfile (B09) as a charging station answers them. */
export const certificateCommands201: CommandTable<V201> = {
  CertificateSigned: {
    answer: (req, st) => {
      const status = certificateSigned(st, req.certificateChain, req.certificateType ?? 'ChargingStationCertificate');
      return status === 'Accepted' ? { status } : { status, statusInfo: { reasonCode: 'InvalidCertificate' } };
    },
    refuse: () => rejected,
  },
  InstallCertificate: {
    answer: (req, st) => (install(st, req.certificateType, req.certificate) ? { status: 'Accepted' } : { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCertificate' } }),
    refuse: () => rejected,
  },
  DeleteCertificate: {
    answer: (req, st) => ({ status: remove(st, req.certificateHashData) ? 'Accepted' : 'NotFound' }),
    refuse: () => ({ status: 'Failed' }),
  },
  GetInstalledCertificateIds: {
    answer(req, st) {
      const wanted = req.certificateType ? new Set<string>(req.certificateType) : undefined;
      const found = certificatesOf(st).installed.filter((c) => !wanted || wanted.has(c.type)).map((c) => ({
        certificateType: c.type as CertificateIdUse,
        certificateHashData: hashOf(c.hash),
      }));
      return found.length ? { status: 'Accepted', certificateHashDataChain: found as [typeof found[number], ...typeof found] } : { status: 'NotFound' };
    },
    refuse: () => ({ status: 'NotFound' }),
  },
  SetNetworkProfile: {
    answer(req, st) {
      const s = certificatesOf(st);
      // B09.FR.04/05: slots the station does not have, and downgrades of the security profile, are refused
      if (req.configurationSlot < 1 || req.configurationSlot > 3) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidConfSlot' } };
      if (req.connectionData.securityProfile < s.securityProfile) return { status: 'Rejected', statusInfo: { reasonCode: 'NoSecurityDowngrade' } };
      s.networkProfiles.set(req.configurationSlot, req.connectionData);
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
};
