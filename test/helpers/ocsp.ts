// Reads an OCSPResponse with asn1js directly, independently of the platform's own ASN.1
// declarations, and verifies its signature with node:crypto against the certificate it carries.
import assert from 'node:assert/strict';
import { verify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';

export interface ParsedSingle {
  serialNumber: string;
  status: 'good' | 'revoked' | 'unknown';
  revocationTime?: Date;
  revocationReason?: number;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface ParsedOcspResponse {
  /** OCSPResponseStatus: 0 successful, 1 malformedRequest, 6 unauthorized … */
  responseStatus: number;
  responses: ParsedSingle[];
  /** the responder certificate carried in the response */
  signer?: X509Certificate;
  /** whether the signature over tbsResponseData verifies with the signer's key */
  signatureValid?: boolean;
  nonce?: Buffer;
}

const der = (b: asn1js.AsnType) => Buffer.from(b.valueBeforeDecodeView);
const items = (b: asn1js.AsnType) => (b as asn1js.Constructed).valueBlock.value;
const isContext = (b: asn1js.AsnType, n: number) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === n;
const time = (b: asn1js.AsnType) => (b as asn1js.GeneralizedTime).toDate();

export function parseOcspResponse(bytes: Uint8Array): ParsedOcspResponse {
  const top = asn1js.fromBER(bytes);
  assert.notEqual(top.offset, -1, 'the answer is not DER');
  const [status, responseBytes] = items(top.result);
  const responseStatus = (status as asn1js.Enumerated).valueBlock.valueDec;
  if (!responseBytes) return { responseStatus, responses: [] };
  const [type, octets] = items(items(responseBytes)[0]!);
  assert.equal((type as asn1js.ObjectIdentifier).valueBlock.toString(), '1.3.6.1.5.5.7.48.1.1', 'id-pkix-ocsp-basic');
  const basic = asn1js.fromBER((octets as asn1js.OctetString).valueBlock.valueHexView).result;
  const [tbs, , signature, certs] = items(basic);
  const signer = certs && new X509Certificate(der(items(items(certs)[0]!)[0]!));
  const sig = Buffer.from((signature as asn1js.BitString).valueBlock.valueHexView);
  const signatureValid = signer ? verify('sha256', der(tbs!), signer.publicKey, sig) : undefined;
  const fields = items(tbs!).filter((f) => !isContext(f, 0));
  const list = fields.find((f, i) => i > 0 && f.idBlock.tagClass === 1 && f.idBlock.tagNumber === 16)!;
  const responses = items(list).map((single): ParsedSingle => {
    const [certId, certStatus, thisUpdate, next] = items(single);
    const serial = Buffer.from((items(certId!)[3] as asn1js.Integer).valueBlock.valueHexView).toString('hex').replace(/^0+(?=.)/, '');
    const tag = certStatus!.idBlock.tagNumber;
    const out: ParsedSingle = { serialNumber: serial, status: (['good', 'revoked', 'unknown'] as const)[tag]!, thisUpdate: time(thisUpdate!) };
    if (next && isContext(next, 0)) out.nextUpdate = time(items(next)[0]!);
    if (tag === 1) {
      const [revocationTime, reason] = items(certStatus!);
      out.revocationTime = time(revocationTime!);
      if (reason) out.revocationReason = (items(reason)[0] as asn1js.Enumerated).valueBlock.valueDec;
    }
    return out;
  });
  const extensions = fields.find((f) => isContext(f, 1));
  const nonceExt = extensions && items(items(extensions)[0]!).find((e) => (items(e)[0] as asn1js.ObjectIdentifier).valueBlock.toString() === '1.3.6.1.5.5.7.48.1.2');
  const nonce = nonceExt && Buffer.from((items(nonceExt).at(-1) as asn1js.OctetString).valueBlock.valueHexView);
  return { responseStatus, responses, signer, signatureValid, nonce };
}
