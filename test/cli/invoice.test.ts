// `ov2x invoice run` and `ov2x invoice pdf` against a data folder a platform wrote before (the
// same server secret, so the CLI opens the customers' encrypted fields).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPlatform } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { notePersonalData, runLogger } from '../helpers/run-log.js';

const MAIN = 'dist/src/cli/main.js';

describe('ov2x invoice', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-cli-invoice-'));
  const env = { ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '' };
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'invoice', ...args], { env, encoding: 'utf8', timeout: 60_000 });

  before(async () => {
    const p = await startPlatform({ ...loadConfig({}, {}), dataDir, host: '127.0.0.1', ocppPort: 0, logLevel: 'debug' }, runLogger());
    notePersonalData(p);
    try {
      const c = await p.services.customers.create({ name: 'Cli Customer', email: 'cli@example.org' });
      await p.repos.stations.create({ id: 'CS-CLI', passwordHash: null });
      await p.repos.cdrs.insertOnce({
        transactionId: null, creditOf: null, creditReason: null, stationId: 'CS-CLI', evseId: 1, connectorId: 1, sessionId: 'CLI-1', protocol: 'ocpp1.6',
        startDateTime: new Date('2026-01-10T10:00:00Z'), endDateTime: new Date('2026-01-10T11:00:00Z'), tokenUid: 'tok_c', tokenType: 'RFID', authMethod: 'AUTH_REQUEST',
        currency: 'EUR', tariff: null, chargingPeriods: '[]', energyImportWh: 7000, energyExportWh: 0, totalTimeMs: 3_600_000, parkingTimeMs: 0,
        costExclVatMinor: 210, costInclVatMinor: 250, exportCreditExclVatMinor: null, exportCreditInclVatMinor: null,
        customerId: c.id, issuedAt: new Date('2026-01-10T11:00:00Z'),
      });
    } finally {
      await p.close();
    }
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs a month, issuing the invoices, and writes one as a PDF', () => {
    assert.equal(run('run', '--period', '2026-13').status, 2);
    const r = run('run', '--period', '2026-01', '--issue', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { period: '2026-01', customers: 1, drafts: 1, issued: 1, failed: [] });
    const again = run('run', '--period', '2026-01', '--json');
    assert.equal(JSON.parse(again.stdout).customers, 0, 'nothing is billed twice');
    const out = join(dataDir, 'invoice.pdf');
    const pdf = run('pdf', '1', '--out', out, '--json');
    assert.equal(pdf.status, 0, pdf.stderr);
    assert.match(JSON.parse(pdf.stdout).number, /^INV-\d{4}-000001$/);
    assert.equal(readFileSync(out).subarray(0, 5).toString(), '%PDF-');
    assert.equal(run('pdf', '99', '--out', out).status, 2);
  });
});
