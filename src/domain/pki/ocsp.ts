// RFC 6960 OCSP: the responder (answers an OCSPRequest with a signed BasicOCSPResponse), the
// request builder the ISO 15118 provider uses and the CertID hashes of an issuer certificate.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { AsnParser, AsnSerializer, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension } from '@peculiar/asn1-x509';
import type { Logger } from '../../log/logger.js';
import type { CertificateHashDataRef } from '../commands.js';
import {
  BasicOCSPResponse, CertID, CertStatus, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPRequest, OCSPResponse,
  OcspResponseStatus, Request, ResponseBytes, ResponseData, ResponderID, RevokedInfo, SingleResponse, TBSRequest,
} from './ocsp-asn1.js';

export type OcspHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** CertID hash algorithms: OCPP names them SHA256/384/512, OCSP clients often still use SHA-1. */
const hashOids: Record<string, OcspHash> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};
const oidOfHash = Object.fromEntries(Object.entries(hashOids).map(([oid, h]) => [h, oid])) as Record<OcspHash, string>;

/** One certificate as an OCSP request names it; hashes and serial as lower-case hex, the serial without leading zeros. */
export interface OcspCertId {
  hashAlgorithm: OcspHash;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

/** CRLReason (RFC 5280 §5.3.1) */
export const CrlReason = { unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5, certificateHold: 6, privilegeWithdrawn: 9 } as const;

export type CertificateStatus = { status: 'good' } | { status: 'revoked'; revokedAt: Date; reason?: number } | { status: 'unknown' };

/** A registry of issued certificates the responder answers from (the ISO 15118 test PKI, the CPO PKI). */
export interface CertificateStatusSource {
  lookup(id: OcspCertId): Promise<CertificateStatus>;
}

/** The delegated OCSP signing certificate (id-kp-OCSPSigning, issued by the CA it answers for) and its key. */
export interface OcspSigner {
  certificate: Buffer;
  key: KeyObject;
}

/** A certificate authority the responder speaks for: its registry and its OCSP signer. */
export interface OcspAuthority extends CertificateStatusSource {
  /** the signer when `id` names a certificate issued by this authority's CA, else undefined */
  signerFor(id: OcspCertId): Promise<OcspSigner | undefined>;
}

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');
const serialHex = (b: ArrayBuffer) => hex(b).replace(/^0+(?=.)/, '');
const wholeSeconds = (t: number) => new Date(Math.floor(t / 1000) * 1000);

/** The issuer name and key hashes of a CA certificate (DER) under `hash`, as an OCSP CertID carries them. */
export function issuerHashes(caDer: Uint8Array, hash: OcspHash): { issuerNameHash: string; issuerKeyHash: string } {
  const ca = AsnParser.parse(caDer, Certificate);
  return {
    issuerNameHash: createHash(hash).update(new Uint8Array(AsnSerializer.serialize(ca.tbsCertificate.subject))).digest('hex'),
    issuerKeyHash: createHash(hash).update(new Uint8Array(ca.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)).digest('hex'),
  };
}

/** Thrown for a request that is not an OCSP request; the responder answers malformedRequest. */
export class OcspRequestError extends Error {}

function parseRequest(der: Uint8Array): { certIds: CertID[]; nonce?: Extension } {
  let req: OCSPRequest;
  try {
    req = AsnParser.parse(der, OCSPRequest);
  } catch {
    throw new OcspRequestError('not a DER OCSPRequest');
  }
  const certIds = req.tbsRequest.requestList.map((r) => r.reqCert);
  if (certIds.length === 0) throw new OcspRequestError('the request names no certificate');
  return { certIds, nonce: req.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce) };
}

const toId = (c: CertID): OcspCertId | undefined => {
  const hashAlgorithm = hashOids[c.hashAlgorithm.algorithm];
  return hashAlgorithm && {
    hashAlgorithm, issuerNameHash: hex(c.issuerNameHash.buffer), issuerKeyHash: hex(c.issuerKeyHash.buffer), serialNumber: serialHex(c.serialNumber),
  };
};

/** Signature algorithms by signer key type: the signature is always over SHA-256. */
const signatureAlgorithms: Record<string, { oid: string; nullParams: boolean }> = {
  ec: { oid: '1.2.840.10045.4.3.2', nullParams: false }, // ecdsa-with-SHA256
  rsa: { oid: '1.2.840.113549.1.1.11', nullParams: true }, // sha256WithRSAEncryption
};

const serializeResponse = (status: number, basic?: BasicOCSPResponse): Buffer => Buffer.from(AsnSerializer.serialize(Object.assign(new OCSPResponse(), {
  responseStatus: status,
  responseBytes: basic && Object.assign(new ResponseBytes(), { responseType: id_pkix_ocsp_basic, response: new OctetString(AsnSerializer.serialize(basic)) }),
})));

/**
 * The OCSP responder: answers for the certificates of the authorities it is given, signing with
 * the delegated signer of the CA the first certificate of a request names (RFC 6960 §4.2.2.2).
 * Certificates of another issuer in the same request are answered unknown. Never throws.
 */
export class OcspResponder {
  constructor(
    private readonly authorities: OcspAuthority[],
    private readonly options: { validityS?: number; log?: Pick<Logger, 'error'> } = {},
  ) {}

  /** Whether one of the authorities speaks for the issuer `id` names (then it can be answered in-process). */
  async answersFor(id: OcspCertId): Promise<boolean> {
    return (await this.authorityFor(id)) !== undefined;
  }

  async respond(der: Uint8Array, now = Date.now()): Promise<Buffer> {
    let parsed: ReturnType<typeof parseRequest>;
    try {
      parsed = parseRequest(der);
    } catch {
      return serializeResponse(OcspResponseStatus.malformedRequest);
    }
    try {
      return await this.answer(parsed, now);
    } catch (err) {
      this.options.log?.error({ err }, 'OCSP responder failed');
      return serializeResponse(OcspResponseStatus.internalError);
    }
  }

  private async answer(parsed: ReturnType<typeof parseRequest>, now: number): Promise<Buffer> {
    const first = toId(parsed.certIds[0]!);
    const authority = first && (await this.authorityFor(first));
    if (!first || !authority) return serializeResponse(OcspResponseStatus.unauthorized);
    const thisUpdate = wholeSeconds(now);
    const nextUpdate = wholeSeconds(now + (this.options.validityS ?? 3600) * 1000);
    const responses: SingleResponse[] = [];
    for (const certId of parsed.certIds) {
      const id = toId(certId);
      const sameIssuer = id && id.hashAlgorithm === first.hashAlgorithm && id.issuerNameHash === first.issuerNameHash && id.issuerKeyHash === first.issuerKeyHash;
      const status: CertificateStatus = sameIssuer ? await authority.source.lookup(id) : { status: 'unknown' };
      responses.push(Object.assign(new SingleResponse(), { certID: certId, certStatus: certStatus(status), thisUpdate, nextUpdate }));
    }
    const data = Object.assign(new ResponseData(), {
      responderID: Object.assign(new ResponderID(), { byKey: new OctetString(keyHash(authority.signer.certificate)) }),
      producedAt: thisUpdate,
      responses,
      // the nonce is echoed as it came (RFC 6960 §4.4.1)
      responseExtensions: parsed.nonce && [parsed.nonce],
    });
    return serializeResponse(OcspResponseStatus.successful, signed(data, authority.signer));
  }

  private async authorityFor(id: OcspCertId): Promise<{ source: OcspAuthority; signer: OcspSigner } | undefined> {
    for (const source of this.authorities) {
      const signer = await source.signerFor(id);
      if (signer) return { source, signer };
    }
    return undefined;
  }
}

function certStatus(s: CertificateStatus): CertStatus {
  if (s.status === 'good') return Object.assign(new CertStatus(), { good: null });
  if (s.status === 'unknown') return Object.assign(new CertStatus(), { unknown: null });
  return Object.assign(new CertStatus(), { revoked: Object.assign(new RevokedInfo(), { revocationTime: wholeSeconds(s.revokedAt.getTime()), revocationReason: s.reason }) });
}

/** ResponderID byKey: SHA-1 of the signer's subjectPublicKey bits (RFC 6960 §4.2.1). */
function keyHash(certificate: Buffer): ArrayBuffer {
  const spk = AsnParser.parse(certificate, Certificate).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey;
  return new Uint8Array(createHash('sha1').update(new Uint8Array(spk)).digest()).buffer;
}

function signed(data: ResponseData, signer: OcspSigner): BasicOCSPResponse {
  const alg = signatureAlgorithms[signer.key.asymmetricKeyType ?? ''];
  if (!alg) throw new Error(`unsupported OCSP signer key type ${signer.key.asymmetricKeyType ?? 'unknown'}`);
  const tbs = new Uint8Array(AsnSerializer.serialize(data));
  return Object.assign(new BasicOCSPResponse(), {
    tbsResponseData: data,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: alg.oid, parameters: alg.nullParams ? new Uint8Array([5, 0]).buffer : undefined }),
    signature: new Uint8Array(sign('sha256', tbs, signer.key)).buffer,
    certs: [AsnParser.parse(signer.certificate, Certificate)],
  });
}

/** An OCSPRequest (DER) for one certificate as OCPP names it (certificateHashData), with an optional nonce. */
export function buildOcspRequest(ref: Omit<CertificateHashDataRef, 'hashAlgorithm'> & { hashAlgorithm: string }, nonce?: Buffer): Buffer {
  const hash = ref.hashAlgorithm.toLowerCase() as OcspHash;
  const serial = ref.serialNumber.length % 2 ? `0${ref.serialNumber}` : ref.serialNumber;
  if (!oidOfHash[hash] || ![ref.issuerNameHash, ref.issuerKeyHash, serial].every((h) => /^([0-9a-f]{2})+$/i.test(h))) {
    throw new OcspRequestError('certificateHashData is not hex or names an unsupported hash algorithm');
  }
  const serialBytes = Buffer.from(serial, 'hex');
  const certId = Object.assign(new CertID(), {
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: oidOfHash[hash] }),
    issuerNameHash: new OctetString(Buffer.from(ref.issuerNameHash, 'hex')),
    issuerKeyHash: new OctetString(Buffer.from(ref.issuerKeyHash, 'hex')),
    // a positive INTEGER: a leading 1 bit needs a zero byte in front
    serialNumber: new Uint8Array((serialBytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), serialBytes]) : serialBytes).buffer,
  });
  const tbsRequest = Object.assign(new TBSRequest(), {
    requestList: [Object.assign(new Request(), { reqCert: certId })],
    requestExtensions: nonce && [new Extension({ extnID: id_pkix_ocsp_nonce, extnValue: new OctetString(AsnSerializer.serialize(new OctetString(nonce))) })],
  });
  return Buffer.from(AsnSerializer.serialize(Object.assign(new OCSPRequest(), { tbsRequest })));
}

/** The responseStatus of a DER OCSPResponse, or undefined when it is not one. */
export function ocspResponseStatus(der: Uint8Array): keyof typeof OcspResponseStatus | undefined {
  try {
    const status = AsnParser.parse(der, OCSPResponse).responseStatus;
    return (Object.keys(OcspResponseStatus) as Array<keyof typeof OcspResponseStatus>).find((k) => OcspResponseStatus[k] === status);
  } catch {
    return undefined;
  }
}
