import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { ConfigError, type Config } from '../config/config.js';
import { pemBlocks } from '../domain/certificates/x509.js';
import { securityEventType } from '../domain/security/event-types.js';
import type { SecurityLog } from '../domain/security/security-log.js';
import type { Logger } from '../log/logger.js';
import { EventThrottle } from '../domain/security/event-throttle.js';

/**
 * The TLS policy of every listener (OCPP security profiles 2/3 and the portal/API, CM1):
 * TLS 1.2 minimum, 1.3 preferred (OpenSSL picks the highest both sides offer), and only AEAD
 * suites with forward secrecy. The 1.3 suites are named too, so the list is the whole truth.
 */
export const tlsPolicy = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  honorCipherOrder: true,
  ciphers: [
    'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
    'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
  ].join(':'),
} as const satisfies SecureContextOptions;

/** HSTS on every response served over TLS: one year, subdomains included. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** How often (ms) the certificate, key and client CA files are polled for changes. */
const WATCH_INTERVAL_MS = 1000;

interface Material {
  context: SecureContextOptions;
  clientRoots: X509Certificate[];
}

/**
 * The listener's certificate chain, key and client-CA bundle, read from their files and
 * re-read when one of them changes: a new connection gets the new context without a restart.
 * A file that does not load (half-written, mismatched key) is logged and the old context kept.
 */
export class TlsFiles {
  private current: Material;
  private readonly files: string[];
  private onChange: ((context: SecureContextOptions) => void) | undefined;

  constructor(
    private readonly paths: { cert: string; key: string; clientCa?: string },
    private readonly log: Logger,
  ) {
    this.files = [paths.cert, paths.key, ...(paths.clientCa ? [paths.clientCa] : [])];
    this.current = this.load();
  }

  /** The secure-context options of the current files. */
  get context(): SecureContextOptions {
    return this.current.context;
  }

  /** The roots a station client certificate must chain to (empty = none accepted). */
  get clientRoots(): readonly X509Certificate[] {
    return this.current.clientRoots;
  }

  /** Starts watching the files; `apply` receives each new valid context. */
  watch(apply: (context: SecureContextOptions) => void): void {
    this.onChange = apply;
    for (const f of this.files) watchFile(f, { interval: WATCH_INTERVAL_MS, persistent: false }, () => this.reload());
  }

  close(): void {
    for (const f of this.files) unwatchFile(f);
    this.onChange = undefined;
  }

  /** Re-reads the files; keeps the old material when the new one does not load. */
  reload(): boolean {
    try {
      this.current = this.load();
    } catch (err) {
      // the message names the file and OpenSSL's reason, never key material
      this.log.error({ err: { message: (err as Error).message } }, 'TLS files changed but do not load: keeping the previous certificate');
      return false;
    }
    this.log.info({ files: this.files }, 'TLS certificate reloaded');
    this.onChange?.(this.current.context);
    return true;
  }

  private load(): Material {
    const read = (file: string): string => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
      }
    };
    const cert = read(this.paths.cert);
    const key = read(this.paths.key);
    const ca = this.paths.clientCa ? read(this.paths.clientCa) : undefined;
    if (pemBlocks(cert).length === 0) throw new Error(`${this.paths.cert}: no PEM certificate`);
    let clientRoots: X509Certificate[] = [];
    if (ca !== undefined) {
      clientRoots = pemBlocks(ca).map((pem) => new X509Certificate(pem));
      if (clientRoots.length === 0) throw new Error(`${this.paths.clientCa}: no PEM certificate`);
    }
    const context: SecureContextOptions = { ...tlsPolicy, cert, key, ...(ca !== undefined && { ca }) };
    try {
      // throws on a malformed file or a key that does not match the certificate
      createSecureContext(context);
    } catch (err) {
      throw new Error(`${this.paths.cert} / ${this.paths.key}: ${(err as Error).message}`, { cause: err });
    }
    return { context, clientRoots };
  }
}

/** Handshake refusals by OpenSSL error code; other OpenSSL refusals are recorded as TLSHandshakeFailed. */
const handshakeRefusals: Readonly<Record<string, string>> = {
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'InvalidTLSVersion',
  ERR_SSL_WRONG_VERSION_NUMBER: 'InvalidTLSVersion',
  ERR_SSL_NO_SHARED_CIPHER: 'InvalidTLSCipherSuite',
};

export interface TlsListener {
  server: HttpsServer;
  files: TlsFiles;
  close(): Promise<void>;
}

/**
 * An HTTPS server that hands every request to the same Fastify routes as the plain listener
 * (attach the OCPP upgrade handler to it as well). With a client CA configured it asks for a
 * client certificate but does not reject: the OCPP upgrade decides per station and records why.
 */
/** refused handshakes recorded per source address and minute; the rest are counted */
const HANDSHAKE_EVENTS_PER_MINUTE = 10;

export function createTlsListener(app: FastifyInstance, config: Config, log: Logger, security: SecurityLog): TlsListener {
  if (!config.tlsCert || !config.tlsKey) throw new ConfigError(['OV2X_TLS_PORT needs OV2X_TLS_CERT and OV2X_TLS_KEY']);
  let files: TlsFiles;
  try {
    files = new TlsFiles({ cert: config.tlsCert, key: config.tlsKey, clientCa: config.tlsClientCa }, log);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
  const server = createHttpsServer({
    ...files.context,
    requestCert: config.tlsClientCa !== undefined,
    rejectUnauthorized: false,
    requestTimeout: app.server.requestTimeout,
    headersTimeout: app.server.headersTimeout,
    // a TLS handshake that does not finish in time gives its socket back (CM5; node's default is 120 s)
    handshakeTimeout: config.handshakeTimeout,
  }, app.routing);
  // a failed handshake (old protocol version, no common cipher) ends that socket only
  const throttle = new EventThrottle(HANDSHAKE_EVENTS_PER_MINUTE, 60_000);
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    const code = err.code ?? 'unknown';
    // a peer that hangs up mid-handshake is no refusal of ours: not worth a security event
    if (!code.startsWith('ERR_SSL_')) return log.debug({ err: { code }, source: { ip: socket.remoteAddress } }, 'TLS handshake aborted');
    const type = handshakeRefusals[code] ?? 'TLSHandshakeFailed';
    const admitted = throttle.admit(socket.remoteAddress ?? 'unknown');
    if (!admitted) return;
    const details = { reason: code, ...(admitted.suppressed > 0 && { suppressedBefore: admitted.suppressed }) };
    void security.record({ type, severity: securityEventType(type).severity, sourceIp: socket.remoteAddress, details });
  });
  files.watch((context) => server.setSecureContext(context));
  return {
    server, files,
    close: () => new Promise<void>((resolve) => {
      files.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
