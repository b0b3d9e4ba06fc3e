// The operator portal in a real Chromium against the platform on loopback: sign-in with TOTP
// enrolment and entry, the stations page live from the event stream, sign-out, password change,
// a session the platform ended; no console error.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { localUser, login, totpCode } from '../helpers/accounts.js';
import { openBrowser, type PortalBrowser } from '../helpers/browser.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('portal: sign-in with TOTP and the stations page', () => {
  let p: TestPlatform;
  let b: PortalBrowser;
  let station: SimulatedStation | undefined;
  let admin: { id: number; username: string; password: string };
  let secret = '';

  before(async () => {
    p = await startTestPlatform();
    admin = await localUser(p, ['admin']);
    b = await openBrowser(p.httpUrl);
  });
  after(async () => {
    await station?.close();
    await b?.close();
    await p?.stop();
  });

  const signIn = async () => {
    const { page } = b;
    await page.goto('/');
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('an administrator without a second factor must enrol TOTP at first sign-in, then lands in the portal', async () => {
    const { page } = b;
    await signIn();
    await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
    secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]{16,}$/, 'the base32 key is shown');
    await b.screenshot('01-totp-enrolment');
    await page.getByLabel('Code').fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const codes = await page.getByTestId('recovery-codes').locator('li').allTextContents();
    assert.equal(codes.length, 10, 'ten recovery codes, shown once');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByTestId('who').waitFor();
    assert.match((await page.getByTestId('who').textContent()) ?? '', new RegExp(admin.username));
    assert.deepEqual(b.errors, []);
  });

  it('signing out ends the session; signing in again asks for the TOTP code', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // the old cookie no longer opens anything: a reload shows the login again
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await b.screenshot('02-totp-entry');
    // the code of the enrolment step is spent: the next step's code
    await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('who').waitFor();
    // keyboard: the first Tab reaches the skip link, which moves the focus to the page content
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'main');
    assert.deepEqual(b.errors, []);
  });

  it('the stations page shows a simulated station going online live, without a reload', async () => {
    const { page } = b;
    const id = 'PORTAL-SIM-1';
    const password = await p.addStation(id);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stations' }).click();
    const row = page.locator(`tr[data-station="${id}"]`);
    await row.getByText('offline').waitFor();
    station = new SimulatedStation({ url: p.ocppUrl, identity: id, password, protocol: '2.0.1', log: silentLogger });
    await station.connect();
    await station.boot();
    await row.getByText('online').waitFor();
    await row.getByText('OV2X SimCharger').waitFor();
    // its connectors' states arrive live too
    await station.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    await row.getByTestId('connector-states').getByText('Faulted').waitFor();
    await page.getByLabel('A connector is').selectOption('Available');
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('A connector is').selectOption('Faulted');
    await row.waitFor();
    await b.screenshot('03-stations');
    await row.getByRole('link', { name: id }).click();
    await page.getByRole('heading', { name: `Station ${id}` }).waitFor();
    await b.screenshot('04-station');
    assert.deepEqual(b.errors, []);
  });

  it('a reload keeps the session and the page (client route answered with the portal)', async () => {
    const { page } = b;
    await page.reload();
    await page.getByRole('heading', { name: 'Station PORTAL-SIM-1' }).waitFor();
    assert.deepEqual(b.errors, []);
  });

  it('changes the password on "My account": the new one works, the old one no longer', async () => {
    const { page } = b;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My account' }).click();
    const next = `Pw-${randomBytes(12).toString('base64url')}`;
    await page.getByLabel('Current password').fill(admin.password);
    await page.getByLabel('New password (12–128 characters)').fill(next);
    await page.getByLabel('New password again').fill(next);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions have ended.').waitFor();
    assert.equal((await login(p, admin.username, admin.password)).status, 401);
    assert.equal((await login(p, admin.username, next)).status, 200);
    admin.password = next;
    await b.screenshot('05-account');
    assert.deepEqual(b.errors, []);
  });

  it('a session ended by the platform (expired, revoked) sends the portal back to the login, saying why', async () => {
    const { page } = b;
    await p.services.identity.sessions.revokeUser(admin.id);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stations' }).click();
    await page.getByText('Your session has ended. Please sign in again.').waitFor();
    await b.screenshot('07-session-ended');
    // the refused request itself is logged by the browser as a failed load; nothing else may be
    assert.deepEqual(b.errors.filter((e) => !/status of 401/.test(e)), []);
  });
});
