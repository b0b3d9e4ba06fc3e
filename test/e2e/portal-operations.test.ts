// The operator portal in a real Chromium against the platform on loopback with a simulated
// station: sign in with TOTP, watch a session appear live, start and stop a remote transaction
// (confirmed, the switching limit shown when reached), read a session's curve, download the CDR
// CSV, and the dashboard; screenshots of the main pages; no console error anywhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { enrolTotp, localUser, login, totpCode } from '../helpers/accounts.js';
import { openBrowser, type PortalBrowser } from '../helpers/browser.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const STATION = 'PORTAL-OPS-1';
const TAG = 'TAG-PORTAL-E2E';

describe('portal: live sessions, remote start/stop, CDR export, dashboard', () => {
  let p: TestPlatform;
  let b: PortalBrowser;
  let station: SimulatedStation;

  before(async () => {
    // two switching commands per hour for administrators: start and stop pass, a third is refused
    p = await startTestPlatform({ switchingLimits: JSON.stringify({ admin: { perWindow: 2, windowS: 3600, maxBatch: 10 } }) });
    await p.repos.tokens.upsert({ idToken: TAG, status: 'Accepted' });
    station = new SimulatedStation({ url: p.ocppUrl, identity: STATION, password: await p.addStation(STATION), protocol: '2.0.1', meterIntervalMs: 200, log: silentLogger });
    await station.connect();
    await station.boot();
    const admin = await localUser(p, ['admin']);
    const first = await login(p, admin.username, admin.password);
    const { secret } = await enrolTotp(p, first.body.token);
    b = await openBrowser(p.httpUrl);
    const { page } = b;
    await page.goto('/');
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('who').waitFor();
  });
  after(async () => {
    await station?.close();
    await b?.close();
    await p?.stop();
  });

  const nav = (name: string) => b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

  it('a session started at the station appears on the sessions page without a reload, and ends there too', async () => {
    const { page } = b;
    await nav('Sessions');
    await page.getByTestId('sessions-table').waitFor();
    const rows = page.locator(`tr[data-station="${STATION}"]`);
    assert.equal(await rows.count(), 0);
    const txn = await station.startSession({ connector: 1, idTag: TAG, powerW: 11_000, intervalMs: 200 });
    await rows.first().getByText('active').waitFor();
    await b.screenshot('10-sessions-live');
    await station.stopSession(txn);
    await rows.first().getByText('ended').waitFor();
    // the page as CSV, built in the browser
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV (this page)' }).click()]);
    assert.equal(download.suggestedFilename(), 'sessions.csv');
    const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    assert.equal(csv[0], 'id,stationId,evseId,connectorId,transactionRef,state,startedAt,endedAt,energyWh,stopReason');
    assert.equal(csv.length, 2);
    assert.match(csv[1]!, new RegExp(`^\\d+,${STATION},1,1,.*,ended,`));
    assert.deepEqual(b.errors, []);
  });

  it('starts a remote transaction after confirmation, then stops it from the station page', async () => {
    const { page } = b;
    await nav('Stations');
    await page.getByRole('link', { name: STATION }).click();
    const start = page.getByRole('form', { name: 'Start charging' });
    await start.getByLabel('Token (idTag)').fill(TAG);
    await start.getByLabel('EVSE').fill('2');
    await start.getByRole('button', { name: 'Start charging' }).click();
    // a switching command asks first; Escape (or Cancel) sends nothing
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId('sent-commands').count(), 0, 'nothing sent');
    assert.equal((await p.repos.transactions.listActive(STATION)).length, 0);
    await start.getByRole('button', { name: 'Start charging' }).click();
    await dialog.getByRole('button', { name: 'Start charging' }).click();
    await page.getByTestId('sent-commands').getByText('Accepted').waitFor();
    const active = page.getByTestId('active-sessions').locator('tr[data-session]');
    await active.first().waitFor();
    assert.equal(await active.count(), 1);
    const [tx] = await p.repos.transactions.listActive(STATION);
    assert.equal(tx?.evseId, 2, 'the remote start reached EVSE 2');
    await b.screenshot('11-station-remote-start');
    await active.first().getByRole('button', { name: 'Stop charging' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /^Stop session/ }).click();
    await until('the remote stop', async () => (await p.repos.transactions.get(tx!.id))?.state === 'ended');
    await page.getByTestId('active-sessions').getByText('No active session.').waitFor();
    assert.deepEqual(b.errors, []);
  });

  it('a third switching command is refused and the page says the switching limit (AC2)', async () => {
    const { page } = b;
    await page.getByRole('form', { name: 'Reset' }).getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset' }).click();
    const msg = page.getByTestId('switching-limit');
    await msg.waitFor();
    assert.match((await msg.textContent()) ?? '', /at most 2 switching commands per 3600 s/);
    await b.screenshot('12-station-switching-limit');
    // the refused request is the platform's 429, which the browser logs as a failed load; nothing else
    assert.deepEqual(b.errors.filter((e) => !/status of 429/.test(e)), []);
    b.errors.length = 0;
  });

  it('reads the station\'s device model and shows its variables, the command in the journal and the (empty) certificate inventory', async () => {
    const { page } = b;
    const vars = page.getByTestId('variables');
    await vars.getByText('Nothing reported yet', { exact: false }).waitFor();
    await page.getByRole('form', { name: 'Read device model' }).getByRole('button', { name: 'Read device model' }).click();
    await vars.getByRole('cell', { name: 'HeartbeatInterval', exact: true }).first().waitFor();
    await page.getByTestId('journal').locator('tr[data-command]').filter({ hasText: 'getBaseReport' }).first().waitFor();
    // the certificate inventory: empty until the station answered a "List installed certificates"
    await page.getByTestId('installed-certificates').getByText('None reported yet.').waitFor();
    await b.screenshot('12b-station-variables');
    assert.deepEqual(b.errors, []);
  });

  it('shows a session with its meter curve', async () => {
    const { page } = b;
    await nav('Sessions');
    await page.locator(`tr[data-station="${STATION}"]`).first().getByRole('link', { name: /^#\d+/ }).click();
    await page.getByRole('heading', { name: /^Session #\d+/ }).waitFor();
    await page.locator('figure.chart canvas').first().waitFor();
    await b.screenshot('13-session-curve');
    assert.deepEqual(b.errors, []);
  });

  it('downloads the CDRs as CSV', async () => {
    const { page } = b;
    await nav('CDRs');
    await until('both CDRs', async () => (await page.locator('tr[data-cdr]').count()) === 2);
    await b.screenshot('14-cdrs');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    assert.equal(download.suggestedFilename(), 'cdrs.csv');
    const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    assert.match(csv[0]!, /session_id/);
    assert.equal(csv.length, 3, 'a header and two CDRs');
    assert.ok(csv.slice(1).every((l) => l.includes(STATION)));
    assert.doesNotMatch(csv.join('\n'), new RegExp(TAG), 'the driver\'s token is never exported');
    assert.deepEqual(b.errors, []);
  });

  it('the dashboard shows stations and today\'s sessions, with its chart, also on a narrow screen', async () => {
    const { page } = b;
    await nav('Dashboard');
    const cards = page.getByTestId('station-cards');
    await cards.waitFor();
    assert.match((await cards.textContent()) ?? '', /Online1/);
    assert.match((await page.getByTestId('session-cards').textContent()) ?? '', /Sessions started today2/);
    await page.locator('figure.chart canvas').first().waitFor();
    await b.screenshot('15-dashboard');
    await page.setViewportSize({ width: 390, height: 800 });
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.ok(await menu.isVisible(), 'narrow screens get a menu button');
    assert.ok(!(await page.getByRole('navigation', { name: 'Main' }).isVisible()), 'and the navigation folds away');
    await menu.click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stations', exact: true }).waitFor();
    await b.screenshot('16-dashboard-narrow');
    assert.deepEqual(b.errors, []);
  });
});
