// OCPP 2.0.1 M06 GetCertificateStatus and M01/M02 Get15118EVCertificate through the built-in
// and the http ISO 15118 providers, from a raw 2.0.1 station over a real socket: the OCSP
// answer comes from the platform's responder for its own test PKI, from an external responder
// for other issuers, and EV certificate requests go to a (fake) contract certificate service.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webcrypto } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.js';
import { certificateHashData } from '../../../src/domain/certificates/x509.js';
import { iso15118ProviderFor } from '../../../src/domain/pki/iso15118-provider.js';
import { CrlReason } from '../../../src/domain/pki/ocsp.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { parseOcspResponse } from '../../helpers/ocsp.js';
import { RawClient } from '../../helpers/raw-client.js';
import { rootCertificate } from '../../helpers/test-signer.js';

const newKey = async () => (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])).publicKey;

/** A fake external service: `handle` decides each answer; requests are kept. */
async function fakeService(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<{ url: string; seen: Array<{ type?: string; body: Buffer }>; server: Server }> {
  const seen: Array<{ type?: string; body: Buffer }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ type: req.headers['content-type'], body });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('OCPP 2.0.1 ISO 15118 certificate provider: GetCertificateStatus (M06) and Get15118EVCertificate (M01/M02)', () => {
  let builtin: TestPlatform;
  let viaHttp: TestPlatform;
  let c: RawClient;
  let h: RawClient;
  let responder: Awaited<ReturnType<typeof fakeService>>;
  let contracts: Awaited<ReturnType<typeof fakeService>>;
  let n = 0;
  const call = async (client: RawClient, action: string, payload: unknown): Promise<Record<string, unknown>> => {
    const [type, , res] = await client.call(`o${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Record<string, unknown>;
  };
  const station = async (p: TestPlatform, id: string) => {
    const client = await RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: ['ocpp2.0.1'], user: id, password: await p.addStation(id) });
    await call(client, 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    return client;
  };

  before(async () => {
    // an external OCSP responder for other issuers: "tryLater", silence, or an oversized answer
    responder = await fakeService((req, _body, res) => {
      if (req.url === '/slow') return;
      if (req.url === '/huge') return void res.end(Buffer.alloc(70_000, 0x30));
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.of(0x30, 0x03, 0x0a, 0x01, 0x03));
    });
    contracts = await fakeService((req, body, res) => {
      const ask = JSON.parse(body.toString()) as { exiRequest: string; action: string };
      if (ask.action === 'Update') return void res.writeHead(503).end('down');
      if (ask.exiRequest === 'bm90IGpzb24=') return void res.end('<html>not json</html>');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ exiResponse: Buffer.from(`installed:${ask.exiRequest}`).toString('base64') }));
    });
    [builtin, viaHttp] = await Promise.all([
      startTestPlatform({ iso15118ProviderTimeout: 500, ocspResponderHosts: '127.0.0.1' }),
      startTestPlatform({ iso15118Provider: 'http', iso15118ProviderUrl: `${contracts.url}/contracts` }),
    ]);
    [c, h] = await Promise.all([station(builtin, 'PNC1'), station(viaHttp, 'PNC2')]);
  });
  after(async () => {
    c.close();
    h.close();
    await Promise.all([builtin.stop(), viaHttp.stop()]);
    responder.server.close();
    contracts.server.close();
  });

  const ocspRequestData = (chain: string, responderURL: string) => ({ ...certificateHashData(chain), responderURL });

  it('GetCertificateStatus for an SECC certificate of the test PKI answers Accepted with a signed OCSP response saying good, then revoked', async () => {
    const secc = await builtin.services.iso15118Pki.issue('secc', 'PNC1', await newKey());
    const ask = () => call(c, 'GetCertificateStatus', { ocspRequestData: ocspRequestData(secc.chain, `${builtin.httpUrl}/pki/ocsp`) });
    const first = await ask();
    assert.equal(first.status, 'Accepted');
    const good = parseOcspResponse(Buffer.from(first.ocspResult as string, 'base64'));
    assert.equal(good.signatureValid, true);
    assert.deepEqual(good.responses.map((s) => [s.serialNumber, s.status]), [[secc.serialNumber, 'good']]);
    assert.equal(good.nonce?.length, 18, 'the provider sends a 16-byte nonce and the responder echoes it');

    await builtin.services.iso15118Pki.revoke('secc', secc.serialNumber, CrlReason.cessationOfOperation);
    const second = await ask();
    const revoked = parseOcspResponse(Buffer.from(second.ocspResult as string, 'base64'));
    assert.deepEqual(revoked.responses.map((s) => [s.status, s.revocationReason]), [['revoked', CrlReason.cessationOfOperation]]);
    const recorded = await builtin.services.certificates.iso15118Requests('PNC1');
    assert.deepEqual(recorded.slice(0, 2).map((r) => [r.action, r.status]), [['GetCertificateStatus', 'Accepted'], ['GetCertificateStatus', 'Accepted']]);
  });

  it('a contract certificate of the MO hierarchy is answered too', async () => {
    const contract = await builtin.services.iso15118Pki.issue('contract', 'DEOV2XC12345678', await newKey());
    const res = await call(c, 'GetCertificateStatus', { ocspRequestData: ocspRequestData(contract.chain, 'http://ocsp.unused.example') });
    assert.deepEqual(parseOcspResponse(Buffer.from(res.ocspResult as string, 'base64')).responses.map((s) => s.status), ['good']);
  });

  it('a certificate of another PKI is asked of its responderURL: its OCSP status is passed on as a Failed reason, silence and oversized answers are bounded', async () => {
    const foreign = certificateHashData(await rootCertificate('Foreign V2G Root'));
    const ask = (responderURL: string) => call(c, 'GetCertificateStatus', { ocspRequestData: { ...foreign, responderURL } });
    assert.deepEqual(await ask(`${responder.url}/ocsp`), { status: 'Failed', statusInfo: { reasonCode: 'OCSPResponderError', additionalInfo: 'the OCSP responder answered tryLater' } });
    assert.equal(responder.seen.at(-1)?.type, 'application/ocsp-request');
    const started = Date.now();
    const slow = await ask(`${responder.url}/slow`);
    assert.match((slow.statusInfo as { additionalInfo: string }).additionalInfo, /no answer from 127\.0\.0\.1:\d+ within 500 ms/);
    assert.ok(Date.now() - started < 3000);
    assert.match(((await ask(`${responder.url}/huge`)).statusInfo as { additionalInfo: string }).additionalInfo, /exceeds 65536 bytes/);
    assert.deepEqual(((await ask('ftp://ocsp.example')).statusInfo as { reasonCode: string }).reasonCode, 'InvalidURL');
    // a station cannot make the platform fetch arbitrary URLs: only listed responder hosts are asked
    const before = responder.seen.length;
    assert.deepEqual(((await ask('http://169.254.169.254/latest/meta-data')).statusInfo as { reasonCode: string }).reasonCode, 'ResponderNotAllowed');
    assert.equal(responder.seen.length, before);
    const junk = await call(c, 'GetCertificateStatus', { ocspRequestData: { ...foreign, issuerNameHash: 'not-hex', responderURL: `${responder.url}/ocsp` } });
    assert.equal((junk.statusInfo as { reasonCode: string }).reasonCode, 'InvalidCertificate');
  });

  it('the built-in provider answers Get15118EVCertificate Failed: no EXI codec', async () => {
    const res = await call(c, 'Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'gJgCEH+GDXuuZd2KiRodHRwOi8vd3d3LnczLm9yZw==' });
    assert.equal(res.status, 'Failed');
    assert.equal(res.exiResponse, '');
    assert.deepEqual((res.statusInfo as { reasonCode: string }).reasonCode, 'NotSupported');
    assert.match((res.statusInfo as { additionalInfo: string }).additionalInfo, /^EXI codec not available/);
  });

  it('the http provider forwards Get15118EVCertificate to the contract certificate service and passes its exiResponse on', async () => {
    const exiRequest = Buffer.from('CertificateInstallationReq').toString('base64');
    const res = await call(h, 'Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:20:2022:MsgDef', action: 'Install', exiRequest });
    assert.deepEqual(res, { status: 'Accepted', exiResponse: Buffer.from(`installed:${exiRequest}`).toString('base64') });
    const sent = contracts.seen.at(-1)!;
    assert.equal(sent.type, 'application/json');
    assert.deepEqual(JSON.parse(sent.body.toString()), { stationId: 'PNC2', iso15118SchemaVersion: 'urn:iso:15118:20:2022:MsgDef', action: 'Install', exiRequest });
  });

  it('the http provider answers Failed with the reason when the service fails or answers nonsense', async () => {
    const down = await call(h, 'Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Update', exiRequest: 'AAAA' });
    assert.deepEqual(down, { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'ProviderError', additionalInfo: `${new URL(contracts.url).host} answered HTTP 503` } });
    const junk = await call(h, 'Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: 'bm90IGpzb24=' });
    assert.equal((junk.statusInfo as { additionalInfo: string }).additionalInfo, 'the contract certificate service did not answer JSON');
  });

  it('the provider is a configuration choice: unknown names and http without a URL are refused', () => {
    assert.throws(() => loadConfig({}, { OV2X_ISO15118_PROVIDER: 'hubject' }), /OV2X_ISO15118_PROVIDER.*must be one of builtin, http, none/s);
    assert.throws(() => iso15118ProviderFor({ iso15118Provider: 'http', iso15118ProviderTimeout: 1000 }, builtin.services.ocsp), /needs OV2X_ISO15118_PROVIDER_URL/);
  });
});
