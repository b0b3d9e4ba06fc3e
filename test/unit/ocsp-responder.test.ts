// The OcspResponder over the CertificateStatusSource seam, without HTTP: an in-memory RSA
// authority (as another PKI would plug in), several certificates in one request, foreign
// issuers, unsupported hashes and a failing registry.
import assert from 'node:assert/strict';
import { KeyObject, webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import { AsnParser, AsnSerializer } from '@peculiar/asn1-schema';
import { certificateHashData, x509 } from '../../src/domain/certificates/x509.js';
import { OCSPRequest } from '../../src/domain/pki/ocsp-asn1.js';
import { buildOcspRequest, OcspResponder, type CertificateStatus, type OcspAuthority, type OcspCertId } from '../../src/domain/pki/ocsp.js';
import { parseOcspResponse } from '../helpers/ocsp.js';

const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const day = 86_400_000;

async function rsaAuthority(statuses: Record<string, CertificateStatus>, fail = false) {
  const caKeys = await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify']);
  const validity = { notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + day), signingAlgorithm: rsa };
  const ca = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=Other CPO CA', keys: caKeys, ...validity, extensions: [new x509.BasicConstraintsExtension(true, 0, true)] });
  const signerKeys = await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify']);
  const signer = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject: 'CN=Other CPO OCSP', issuer: ca.subject, publicKey: signerKeys.publicKey, signingKey: caKeys.privateKey, ...validity,
    extensions: [new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.9'])],
  });
  const leaf = async (serialNumber: string) => (await x509.X509CertificateGenerator.create({
    serialNumber, subject: `CN=${serialNumber}`, issuer: ca.subject, publicKey: (await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify'])).publicKey, signingKey: caKeys.privateKey, ...validity,
  })).toString('pem');
  const caId = certificateHashData(ca.toString('pem'));
  const authority: OcspAuthority = {
    lookup: (id: OcspCertId) => (fail ? Promise.reject(new Error('registry down')) : Promise.resolve(statuses[id.serialNumber] ?? { status: 'unknown' })),
    signerFor: (id: OcspCertId) => Promise.resolve(id.hashAlgorithm === 'sha256' && id.issuerNameHash === caId.issuerNameHash && id.issuerKeyHash === caId.issuerKeyHash
      ? { certificate: Buffer.from(signer.rawData), key: KeyObject.from(signerKeys.privateKey) } : undefined),
  };
  return { authority, caPem: ca.toString('pem'), leaf };
}

/** One OCSPRequest naming every certificate of `requests` (their requestLists joined). */
function joined(requests: Buffer[]): Buffer {
  const [first, ...rest] = requests.map((r) => AsnParser.parse(r, OCSPRequest));
  first!.tbsRequest.requestList.push(...rest.flatMap((r) => r.tbsRequest.requestList));
  return Buffer.from(AsnSerializer.serialize(first));
}

describe('OcspResponder over CertificateStatusSource', () => {
  it('another PKI plugs in: an RSA-signed answer with a status per certificate; a foreign issuer in the same request is unknown', async () => {
    const revokedAt = new Date('2026-01-02T03:04:05Z');
    const mine = await rsaAuthority({ '10': { status: 'good' }, '11': { status: 'revoked', revokedAt } });
    const other = await rsaAuthority({ '13': { status: 'good' } });
    const responder = new OcspResponder([other.authority, mine.authority], { validityS: 600 });
    const request = async (of: typeof mine, serial: string) => buildOcspRequest(certificateHashData(await of.leaf(serial), of.caPem));
    const req = joined(await Promise.all([request(mine, '10'), request(mine, '11'), request(mine, '12'), request(other, '13')]));
    const r = parseOcspResponse(await responder.respond(req, Date.parse('2026-06-01T00:00:00.700Z')));
    assert.equal(r.responseStatus, 0);
    assert.equal(r.signatureValid, true);
    assert.deepEqual(r.responses.map((s) => [s.serialNumber, s.status]), [['10', 'good'], ['11', 'revoked'], ['12', 'unknown'], ['13', 'unknown']]);
    assert.equal(r.responses[1]!.revocationTime!.toISOString(), revokedAt.toISOString());
    assert.equal(r.responses[1]!.revocationReason, undefined);
    assert.deepEqual([r.responses[0]!.thisUpdate.toISOString(), r.responses[0]!.nextUpdate!.toISOString()], ['2026-06-01T00:00:00.000Z', '2026-06-01T00:10:00.000Z']);
  });

  it('answers unauthorized for a CertID hashed with an algorithm the authority does not answer, internalError when the registry fails', async () => {
    const { authority, leaf, caPem } = await rsaAuthority({}, true);
    const pem = `${await leaf('20')}\n${caPem}`;
    const responder = new OcspResponder([authority]);
    const sha512 = { ...certificateHashData(pem), hashAlgorithm: 'SHA512' };
    assert.equal(parseOcspResponse(await responder.respond(buildOcspRequest(sha512))).responseStatus, 6);
    assert.equal(parseOcspResponse(await responder.respond(buildOcspRequest(certificateHashData(pem)))).responseStatus, 2);
    assert.equal(await responder.answersFor({ hashAlgorithm: 'sha256', issuerNameHash: '00', issuerKeyHash: '00', serialNumber: '1' }), false);
  });
});
