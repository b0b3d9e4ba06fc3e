// The portal signs out by itself after the platform's idle timeout without user input (live
// updates would otherwise keep the session in use for ever), and input restarts the count.
// The browser's clock is Playwright's fake one, so no test waits out the real timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localUser } from '../helpers/accounts.js';
import { call } from '../helpers/api.js';
import { openBrowser, type PortalBrowser } from '../helpers/browser.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('portal: idle sign-out', () => {
  let p: TestPlatform;
  let b: PortalBrowser;

  before(async () => {
    p = await startTestPlatform({ sessionIdle: 120 });
    b = await openBrowser(p.httpUrl);
    await b.context.clock.install();
  });
  after(async () => {
    await b?.close();
    await p?.stop();
  });

  it('a support account sees only its pages; input keeps the session; 120 s without input signs out on the platform too', async () => {
    const { page } = b;
    // a support account: no mandatory TOTP, so the password alone signs in
    const u = await localUser(p, ['support_l1']);
    await page.goto('/');
    await page.getByLabel('Username').fill(u.username);
    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
    // the browser's session token (the cookie is HttpOnly to the page, not to the test)
    const token = (await b.context.cookies()).find((c) => c.name === 'ov2x_session')?.value;
    assert.ok(token);
    assert.equal((await call(p, 'GET', '/auth/me', { token })).status, 200);
    // first-line support sees stations and sessions but no CDRs, and may send no command
    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Dashboard', 'Stations', 'Sessions', 'Tokens', 'Customers', 'My account']);
    await p.addStation('IDLE-ROLE-1');
    await page.goto('/stations/IDLE-ROLE-1');
    await page.getByRole('heading', { name: 'Station IDLE-ROLE-1' }).waitFor();
    await page.getByTestId('journal').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Remote commands' }).count(), 0);
    await page.goto('/cdrs');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await page.clock.fastForward(100_000);
    await page.keyboard.press('Shift');
    await page.clock.fastForward(100_000);
    assert.ok(await page.getByTestId('who').isVisible(), 'input 100 s in restarted the count');
    await page.clock.fastForward(25_000);
    await page.getByText('You were signed out after a time without activity.').waitFor();
    // the sign-out reached the platform: that session is gone
    assert.equal((await call(p, 'GET', '/auth/me', { token })).status, 401);
    await b.screenshot('06-idle-signed-out');
    assert.deepEqual(b.errors, []);
  });
});
