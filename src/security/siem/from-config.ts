import { readFileSync } from 'node:fs';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../log/logger.js';
import { ElasticSink } from './elastic-sink.js';
import { FileSink } from './file-sink.js';
import type { SiemSink } from './sink.js';
import { SyslogSink } from './syslog-sink.js';

/** The export sinks the configuration asks for (none by default). */
export function siemSinksFrom(config: Config, log: Logger): SiemSink[] {
  const sinks: SiemSink[] = [];
  if (config.siemFile) sinks.push(new FileSink(config.siemFile));
  if (config.siemElasticUrl) {
    sinks.push(new ElasticSink({
      url: config.siemElasticUrl, index: config.siemElasticIndex, apiKey: config.siemElasticApiKey, batch: config.siemElasticBatch,
      // within one round; the exporter's next round starts over with the same batch
      maxAttempts: 6, backoffMs: 500, timeoutMs: 30_000,
    }, log));
  }
  if (config.siemSyslog) {
    const at = config.siemSyslog.lastIndexOf(':');
    const port = Number(config.siemSyslog.slice(at + 1));
    if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`OV2X_SIEM_SYSLOG must be host:port, not ${config.siemSyslog}`);
    const host = config.siemSyslog.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    sinks.push(new SyslogSink({ host, port, ca: config.siemSyslogCa ? readFileSync(config.siemSyslogCa) : undefined }, log));
  }
  return sinks;
}
