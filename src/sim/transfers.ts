import { createHash } from 'node:crypto';
import type { SimulatedStation } from './station.js';

/**
 * What a simulated station does with the files OCPP asks it to move: it really downloads
 * firmware over HTTP(S) and really uploads a log, the two ways real stations do (raw PUT of
 * the file below the given location, or a multipart/form-data POST to it).
 */

const TRANSFER_TIMEOUT_MS = 30_000;

export class TransferFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferFailed';
  }
}

/** Downloads a file; checks its size against Content-Length and, when the server names it, its SHA-256. */
export async function download(url: string): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS) });
  } catch (err) {
    throw new TransferFailed(`download failed: ${(err as Error).message}`);
  }
  if (!res.ok) throw new TransferFailed(`download failed: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const length = res.headers.get('content-length');
  if (length !== null && Number(length) !== body.length) throw new TransferFailed('download truncated');
  const sha256 = res.headers.get('x-checksum-sha256');
  if (sha256 && createHash('sha256').update(body).digest('hex') !== sha256) throw new TransferFailed('SHA-256 mismatch');
  return body;
}

/** A small log file with what a station would put in it. */
export function logFile(st: SimulatedStation, kind: string): Buffer {
  const lines = [
    `${new Date().toISOString()} ${st.identity} ${kind} log`,
    `vendor=${st.vendor} model=${st.model} firmware=${st.firmware}`,
    ...Array.from({ length: st.connectorCount }, (_, i) => `connector ${i + 1}: ${st.connectorStatus(i + 1)}`),
  ];
  return Buffer.from(lines.join('\n') + '\n');
}

/** Uploads a file to `location`: PUT `<location>/<fileName>` or a multipart POST to `location`. */
export async function upload(location: string, fileName: string, content: Buffer, method: 'PUT' | 'POST'): Promise<void> {
  let res: Response;
  try {
    if (method === 'PUT') {
      res = await fetch(`${location.replace(/\/+$/, '')}/${encodeURIComponent(fileName)}`, {
        method: 'PUT', body: content, headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS),
      });
    } else {
      const form = new FormData();
      form.append('file', new Blob([content], { type: 'text/plain' }), fileName);
      res = await fetch(location, { method: 'POST', body: form, signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS) });
    }
  } catch (err) {
    throw new TransferFailed(`upload failed: ${(err as Error).message}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new TransferFailed(`upload failed: HTTP ${res.status}`);
}

export interface FirmwareRun {
  location: string;
  /** a signed update: the signature is verified (the simulator checks only that one was given) */
  signed: boolean;
  /** status words of the version: 1.6 has no InstallRebooting */
  rebootingStatus?: string;
  report(status: string): Promise<unknown>;
}

/**
 * A whole firmware update: download (really), optional signature check, install, reboot,
 * and the final status after the new boot. `behaviour.firmwareOutcome` picks a failure.
 */
export async function updateFirmware(st: SimulatedStation, r: FirmwareRun): Promise<void> {
  const outcome = st.behaviour.firmwareOutcome;
  await r.report('Downloading');
  let image: Buffer;
  try {
    if (outcome === 'DownloadFailed') throw new TransferFailed('download failed (simulated)');
    image = await download(r.location);
  } catch (err) {
    st.log.debug({ err, identity: st.identity }, 'firmware download failed');
    await r.report('DownloadFailed');
    return;
  }
  await r.report('Downloaded');
  if (r.signed) {
    if (outcome === 'InvalidSignature') {
      await r.report('InvalidSignature');
      return;
    }
    await r.report('SignatureVerified');
  }
  await r.report('Installing');
  if (outcome === 'InstallationFailed') {
    await r.report('InstallationFailed');
    return;
  }
  if (r.rebootingStatus) await r.report(r.rebootingStatus);
  st.installedFirmware = `sim-${createHash('sha256').update(image).digest('hex').slice(0, 12)}`;
  await st.reboot('Reboot');
  await r.report('Installed');
}

export interface LogRun {
  location: string;
  fileName: string;
  kind: string;
  /** how the version words the outcome */
  words: { uploading: string; uploaded: string; failed: string };
  report(status: string): Promise<unknown>;
}

/** A whole log upload: Uploading, the upload itself, then Uploaded or the version's failure word. */
export async function uploadLog(st: SimulatedStation, r: LogRun): Promise<void> {
  await r.report(r.words.uploading);
  try {
    if (st.behaviour.uploadFails) throw new TransferFailed('upload failed (simulated)');
    await upload(r.location, r.fileName, logFile(st, r.kind), st.behaviour.uploadMethod ?? 'PUT');
  } catch (err) {
    st.log.debug({ err, identity: st.identity }, 'log upload failed');
    await r.report(r.words.failed);
    return;
  }
  await r.report(r.words.uploaded);
}

/** A PEM certificate, as far as a station checks before trying to verify with it. */
export const looksLikeCertificate = (pem: string): boolean => /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(pem);

/** GetLog, alike in the 1.6 security whitepaper and 2.0.1 (N01): uploads the log in the background; `report` sends each LogStatusNotification. */
export function answerGetLog(st: SimulatedStation, req: { logType: string; log: { remoteLocation: string } }, report: (status: string) => Promise<unknown>): { status: 'Accepted'; filename: string } {
  const filename = `${req.logType === 'SecurityLog' ? 'security' : 'diagnostics'}-${st.identity}-${Date.now()}.log`;
  st.after(() => uploadLog(st, {
    location: req.log.remoteLocation, fileName: filename, kind: req.logType, words: { uploading: 'Uploading', uploaded: 'Uploaded', failed: 'UploadFailure' }, report,
  }));
  return { status: 'Accepted', filename };
}
