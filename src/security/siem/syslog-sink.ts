import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { connect, type TLSSocket } from 'node:tls';
import type { Logger } from '../../log/logger.js';
import type { EcsDocument } from './ecs.js';
import type { SiemSink } from './sink.js';

export interface SyslogOptions {
  host: string;
  port: number;
  /** PEM CA bundle the collector's certificate is verified against; undefined = system CAs */
  ca?: string | Buffer;
  /** name checked against the collector's certificate; default host */
  servername?: string;
  /** RFC 5424 facility; default 10 (security/authorization, authpriv) */
  facility?: number;
  appName?: string;
  connectTimeoutMs?: number;
}

/** RFC 5424 severities (0 emergency … 7 debug) of our four levels. */
const syslogSeverity: Record<string, number> = { critical: 2, high: 3, warning: 4, info: 6 };

/** PRINTUSASCII without space, at most `max` long; `-` (NILVALUE) when empty. */
const header = (s: string | null | undefined, max: number) => (s ?? '').replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';
/** SD-PARAM value escaping (RFC 5424 §6.3.3): `"`, `\` and `]`. */
const sdValue = (s: string) => s.replace(/(["\\\]])/g, '\\$1');

/** One RFC 5424 message: the ECS JSON is the MSG, the chain position a structured-data element. */
export function rfc5424(d: EcsDocument, o: { facility: number; appName: string; host: string }): string {
  const level = String((d.log as { level?: string } | undefined)?.level ?? 'warning');
  const pri = o.facility * 8 + (syslogSeverity[level] ?? 4);
  const action = (d.event as { action?: string }).action;
  const sd = `[ov2x@32473 seq="${d.event.sequence}" hash="${sdValue(String((d.event as { hash?: string }).hash ?? ''))}"]`;
  return `<${pri}>1 ${d['@timestamp']} ${header(o.host, 255)} ${header(o.appName, 48)} - ${header(action, 32)} ${sd} \uFEFF${JSON.stringify(d)}`;
}

/** RFC 6587 octet counting: the byte length, a space, the message. */
export const octetCounted = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

/**
 * Syslog over TLS (RFC 5425) with octet-counting framing (RFC 6587): the collector's certificate
 * must chain to the configured CA and name the host. One connection, opened on first use and
 * again after any error; deliver() resolves when the batch is flushed to the socket (syslog has no
 * application-level acknowledgement, so a batch lost in a connection drop after that is lost).
 */
export class SyslogSink implements SiemSink {
  readonly name: string;
  readonly batch = 200;
  private socket?: TLSSocket;
  private readonly host = hostname();

  constructor(private readonly o: SyslogOptions, private readonly log?: Logger) {
    this.name = `syslog:${o.host}:${o.port}`;
  }

  async deliver(docs: readonly EcsDocument[]): Promise<void> {
    const socket = await this.connection();
    const text = docs.map((d) => octetCounted(rfc5424(d, { facility: this.o.facility ?? 10, appName: this.o.appName ?? 'ov2x', host: this.host }))).join('');
    await new Promise<void>((resolve, reject) => socket.write(text, (err) => (err ? reject(err) : resolve()))).catch((err: unknown) => {
      this.drop(err);
      throw err;
    });
  }

  private connection(): Promise<TLSSocket> {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.o.host, port: this.o.port, ca: this.o.ca, // SNI takes names only (RFC 6066); an IP address is still checked against the certificate's IP SANs
        servername: this.o.servername ?? (isIP(this.o.host) ? undefined : this.o.host), rejectUnauthorized: true, timeout: this.o.connectTimeoutMs ?? 10_000 });
      const fail = (err: Error) => {
        s.destroy();
        reject(err);
      };
      s.once('error', fail);
      s.once('timeout', () => fail(new Error('syslog collector did not answer in time')));
      s.once('secureConnect', () => {
        s.off('error', fail);
        s.setTimeout(0);
        // later errors end this connection; the next deliver() opens a new one
        s.on('error', (err) => this.drop(err));
        s.on('close', () => { if (this.socket === s) this.socket = undefined; });
        this.socket = s;
        resolve(s);
      });
    });
  }

  private drop(err: unknown): void {
    this.log?.warn({ siem: this.name, err }, 'syslog connection lost: reconnecting on the next batch');
    this.socket?.destroy();
    this.socket = undefined;
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s && !s.destroyed) await new Promise<void>((r) => s.end(r));
  }
}
