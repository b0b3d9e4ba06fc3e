// The Iso15118Provider implementations selected by OV2X_ISO15118_PROVIDER: `builtin` answers
// OCSP from the local test PKI in-process and any other issuer through its responderURL;
// `http` also forwards EV certificate requests to an external contract certificate service.
// No maintained JavaScript ISO 15118 EXI codec exists (the maintained codecs are C, C++, Rust,
// Go, Java), so the built-in provider does not decode or invent EXI: it answers Failed.
import { randomBytes } from 'node:crypto';
import { noIso15118Provider, type Iso15118Provider, type ProviderAnswer } from '../certificates/providers.js';
import type { CertificateHashDataRef } from '../commands.js';
import { boundedPost, FetchError, type FetchLimits } from './bounded-fetch.js';
import { buildOcspRequest, ocspResponseStatus, OcspRequestError, type OcspCertId, type OcspHash, type OcspResponder } from './ocsp.js';

// OCPP 2.0.1 maxLength of GetCertificateStatusResponse.ocspResult and Get15118EVCertificateResponse.exiResponse
const MAX_OCSP_RESULT = 5500;
const MAX_EXI_RESPONSE = 5600;

const failed = (reasonCode: string, additionalInfo: string) => ({ status: 'Failed', reasonCode, additionalInfo }) as const;

const certId = (c: CertificateHashDataRef): OcspCertId => ({
  hashAlgorithm: c.hashAlgorithm.toLowerCase() as OcspHash, issuerNameHash: c.issuerNameHash.toLowerCase(), issuerKeyHash: c.issuerKeyHash.toLowerCase(),
  serialNumber: c.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
});

/** M06 GetCertificateStatus: an OCSP request for the certificate, answered in-process or by its responder URL. */
/** Where the platform may send OCSP requests besides its own responder: a station-given URL is fetched only for a listed host (no SSRF). */
interface OcspEgress extends FetchLimits {
  allowedHosts: ReadonlySet<string>;
}

async function certificateStatus(responder: OcspResponder, limits: OcspEgress, certificate: CertificateHashDataRef, responderUrl: string): Promise<ProviderAnswer & { ocspResult?: string }> {
  let request: Buffer;
  try {
    request = buildOcspRequest(certificate, randomBytes(16));
  } catch (err) {
    if (err instanceof OcspRequestError) return failed('InvalidCertificate', err.message);
    throw err;
  }
  let response: Buffer;
  if (await responder.answersFor(certId(certificate))) response = await responder.respond(request);
  else {
    let url: URL;
    try {
      url = new URL(responderUrl);
    } catch {
      return failed('InvalidURL', 'responderURL is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed('InvalidURL', 'responderURL must be http:// or https://');
    if (!limits.allowedHosts.has(url.hostname.toLowerCase())) return failed('ResponderNotAllowed', `${url.hostname} is not an allowed OCSP responder (OV2X_OCSP_RESPONDER_HOSTS)`);
    try {
      response = await boundedPost(url.href, request, 'application/ocsp-request', limits);
    } catch (err) {
      if (err instanceof FetchError) return failed('OCSPResponderError', err.message);
      throw err;
    }
  }
  const status = ocspResponseStatus(response);
  if (status !== 'successful') return failed('OCSPResponderError', status ? `the OCSP responder answered ${status}` : 'the OCSP responder answered something that is not an OCSPResponse');
  const ocspResult = response.toString('base64');
  if (ocspResult.length > MAX_OCSP_RESULT) return failed('OCSPResponderError', `the OCSP response exceeds the ${MAX_OCSP_RESULT} characters OCPP allows`);
  return { status: 'Accepted', ocspResult };
}

/** The built-in provider: real OCSP, no EXI. */
export function builtinIso15118Provider(responder: OcspResponder, limits: OcspEgress): Iso15118Provider {
  return {
    get15118EVCertificate: () => Promise.resolve({ ...failed('NotSupported', 'EXI codec not available: set OV2X_ISO15118_PROVIDER=http to use a contract certificate service'), exiResponse: '' }),
    getCertificateStatus: ({ certificate, responderUrl }) => certificateStatus(responder, limits, certificate, responderUrl),
  };
}

/**
 * An external contract certificate service (Hubject-style): the EXI request is POSTed as JSON
 * `{ stationId, iso15118SchemaVersion, action, exiRequest }` and answered `{ exiResponse }`
 * (optionally with `status: "Failed"` and a reason). OCSP as the built-in provider does it.
 */
export function httpIso15118Provider(url: string, responder: OcspResponder, limits: OcspEgress): Iso15118Provider {
  return {
    async get15118EVCertificate(req) {
      let body: Buffer;
      try {
        body = await boundedPost(url, JSON.stringify(req), 'application/json', limits);
      } catch (err) {
        if (err instanceof FetchError) return { ...failed('ProviderError', err.message), exiResponse: '' };
        throw err;
      }
      let answer: { status?: unknown; exiResponse?: unknown; reason?: unknown };
      try {
        answer = JSON.parse(body.toString('utf8')) as typeof answer;
      } catch {
        return { ...failed('ProviderError', 'the contract certificate service did not answer JSON'), exiResponse: '' };
      }
      if (answer.status === 'Failed') return { ...failed('ProviderError', typeof answer.reason === 'string' ? answer.reason.slice(0, 512) : 'the contract certificate service answered Failed'), exiResponse: '' };
      if (typeof answer.exiResponse !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(answer.exiResponse)) {
        return { ...failed('ProviderError', 'the contract certificate service answered no base64 exiResponse'), exiResponse: '' };
      }
      if (answer.exiResponse.length > MAX_EXI_RESPONSE) return { ...failed('ProviderError', `the exiResponse exceeds the ${MAX_EXI_RESPONSE} characters OCPP allows`), exiResponse: '' };
      return { status: 'Accepted', exiResponse: answer.exiResponse };
    },
    getCertificateStatus: ({ certificate, responderUrl }) => certificateStatus(responder, limits, certificate, responderUrl),
  };
}

/** The largest answer read from a contract certificate service or an external OCSP responder. */
const MAX_ANSWER_BYTES = 65_536;

export interface Iso15118ProviderSettings {
  iso15118Provider: string;
  iso15118ProviderUrl?: string;
  iso15118ProviderTimeout: number;
  ocspResponderHosts?: string;
}

/** The provider OV2X_ISO15118_PROVIDER names; `http` without a URL is a configuration error. */
export function iso15118ProviderFor(s: Iso15118ProviderSettings, responder: OcspResponder): Iso15118Provider {
  const allowedHosts = new Set((s.ocspResponderHosts ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean));
  const limits = { timeoutMs: s.iso15118ProviderTimeout, maxBytes: MAX_ANSWER_BYTES, allowedHosts };
  const providers: Record<string, () => Iso15118Provider> = {
    builtin: () => builtinIso15118Provider(responder, limits),
    http: () => {
      if (!s.iso15118ProviderUrl) throw new Error('OV2X_ISO15118_PROVIDER=http needs OV2X_ISO15118_PROVIDER_URL');
      return httpIso15118Provider(s.iso15118ProviderUrl, responder, limits);
    },
    none: () => noIso15118Provider,
  };
  const make = providers[s.iso15118Provider];
  if (!make) throw new Error(`unknown ISO 15118 provider ${s.iso15118Provider}`);
  return make();
}
