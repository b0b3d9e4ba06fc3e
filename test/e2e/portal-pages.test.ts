// The portal's customer, billing, security and administration pages in a real Chromium against
// the platform on loopback (issue 8): token reveal by role, an IDS alert raised by a simulated
// password burst acknowledged and closed, blocking an IP, the tariff editor's preview, an
// invoice PDF, an API key shown once. Every test ends with no console error in the browser.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { rolesOf } from '../../src/domain/identity/account-service.js';
import type { Role } from '../../src/domain/identity/roles.js';
import { enrolTotp, localUser, login, totpCode } from '../helpers/accounts.js';
import { openBrowser, type PortalBrowser } from '../helpers/browser.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { csrFor } from '../helpers/test-signer.js';
import { until } from '../helpers/until.js';

const UID = 'E2E-CARD-0001';

describe('portal: tokens, billing, security and administration pages', () => {
  let p: TestPlatform;
  let b: PortalBrowser;

  before(async () => {
    p = await startTestPlatform();
    b = await openBrowser(p.httpUrl);
  });
  after(async () => {
    await b?.close();
    await p?.stop();
  });

  /** Signs in a fresh local account of `roles` (admin: with a TOTP enrolled beforehand, entered here). */
  const signIn = async (roles: Role[]): Promise<{ id: number; username: string }> => {
    const { page } = b;
    const u = await localUser(p, roles);
    let secret: string | undefined;
    if (roles.includes('admin')) secret = (await enrolTotp(p, (await login(p, u.username, u.password)).body.token)).secret;
    await page.goto('/');
    await page.getByLabel('Username').fill(u.username);
    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (secret) {
      // the enrolment spent the current step's code
      await page.getByLabel('Code from your authenticator app').fill(await totpCode(secret, 1));
      await page.getByRole('button', { name: 'Verify' }).click();
    }
    await page.getByTestId('who').waitFor();
    return u;
  };
  const signOut = async () => {
    await b.page.getByRole('button', { name: 'Sign out' }).click();
    await b.page.getByRole('button', { name: 'Sign in' }).waitFor();
  };
  const open = async (title: string) => {
    await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: title, exact: true }).click();
  };

  it('an eMSP manager reveals a token UID (audited); 1st-line support has no reveal button and is refused by the API', async () => {
    const { page } = b;
    await p.repos.tokens.upsert({ idToken: UID, status: 'Accepted' });
    const pseudonym = await p.services.privacy.pseudonym(UID);
    const manager = await signIn(['emsp_manager']);
    await open('Tokens');
    const row = page.locator(`tr[data-token="${pseudonym}"]`);
    await row.waitFor();
    assert.ok(!(await page.content()).includes(UID), 'pseudonymized by default');
    await row.getByRole('button', { name: `Reveal UID of ${pseudonym}` }).click();
    await row.getByTestId('uid').getByText(UID).waitFor();
    await b.screenshot('10-tokens-revealed');
    const audit = await p.services.identity.audit.list({ action: 'token.reveal', limit: 10, offset: 0, order: 'desc' });
    assert.ok(audit.some((r) => r.target === pseudonym && r.actor === `user:${manager.id}` && r.result === 'success'), JSON.stringify(audit));
    // customers: masked in the list, in clear after a reveal
    const customer = await p.services.customers.create({ name: 'Rita Reveal', email: 'rita@example.org' });
    await open('Customers');
    const crow = page.locator('tr').filter({ hasText: customer.reference });
    await crow.waitFor();
    assert.ok(!(await crow.textContent())?.includes('Rita Reveal'), 'masked by default');
    await crow.getByRole('button', { name: 'Reveal' }).click();
    await crow.getByText('Rita Reveal').waitFor();
    await b.screenshot('12-customers');
    await open('Tokens');
    await row.waitFor();
    // block and unblock from the same row
    await row.getByRole('button', { name: 'Block' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
    await row.getByText('Blocked').waitFor();
    assert.equal((await p.repos.tokens.get(UID))?.status, 'Blocked');
    await row.getByRole('button', { name: 'Unblock' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unblock' }).click();
    await row.getByText('Accepted').waitFor();
    await signOut();

    // a card nobody registered, tried at a station: listed by pseudonym as an unknown-token attempt
    const stranger = 'E2E-STRANGER-CARD';
    const password = await p.addStation('E2E-TOK-1');
    const c = await RawClient.connect(`${p.ocppUrl}/E2E-TOK-1`, { protocols: ['ocpp1.6'], user: 'E2E-TOK-1', password });
    try {
      await c.call('b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      await c.call('s1', 'StartTransaction', { connectorId: 1, idTag: stranger, meterStart: 0, timestamp: new Date().toISOString() });
    } finally {
      c.close();
    }
    await signIn(['support_l1']);
    await open('Tokens');
    await row.waitFor();
    await page.getByTestId('unknown-attempts').getByText(await p.services.privacy.pseudonym(stranger)).waitFor();
    assert.ok(!(await page.content()).includes(stranger), 'the unknown card by pseudonym only');
    assert.equal(await row.getByRole('button').count(), 0, 'no reveal (nor block) button for 1st-line support');
    // the API refuses the reveal to this session whatever the page shows
    const { csrfToken } = await page.evaluate(async () => (await (await fetch('/api/v1/auth/me')).json()) as { csrfToken: string });
    const cookie = (await b.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const res = await fetch(`${p.httpUrl}/api/v1/tokens/${pseudonym}/reveal`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 403);
    assert.ok(!(await res.text()).includes(UID));
    await b.screenshot('11-tokens-support');
    await signOut();
    assert.deepEqual(b.errors, []);
  });

  it('an alert raised by a simulated wrong-password burst is shown with its evidence, acknowledged, then closed', async () => {
    const { page } = b;
    const id = 'E2E-PW-1';
    await p.addStation(id);
    for (let i = 0; i < 5; i++) {
      await RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: ['ocpp1.6'], user: id, password: `guess-${i}` }).then(
        (c) => { c.close(); assert.fail('a wrong password must be refused'); },
        (e: unknown) => assert.equal((e as { status: number }).status, 401),
      );
    }
    await until('the password-burst alert', async () => (await p.services.idsAlerts.list({ stationId: id, limit: 10, offset: 0 })).some((a) => a.rule === 'T4-password-burst'));
    await signIn(['cpo_manager']);
    await open('Alerts');
    const row = page.locator(`tr[data-rule="T4-password-burst"]`).filter({ hasText: id });
    await row.waitFor();
    await row.getByRole('button', { name: 'Evidence' }).click();
    const evidence = (await page.getByTestId('evidence').first().textContent()) ?? '';
    assert.ok(evidence.length > 2 && !evidence.includes('guess-'), 'evidence shown, without the passwords tried');
    await b.screenshot('20-security-alerts');
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await row.getByText('acknowledged', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Close' }).click();
    await row.getByText('closed', { exact: true }).waitFor();
    const [alert] = (await p.services.idsAlerts.list({ stationId: id, limit: 10, offset: 0 })).filter((a) => a.rule === 'T4-password-burst');
    assert.equal(alert?.status, 'closed');
    assert.ok(alert?.changedBy, 'who closed it is recorded');
    assert.deepEqual(b.errors, []);
  });

  it('an IP address blocked from the block list page is in force, and removed again', async () => {
    const { page } = b;
    await open('Block list');
    await page.getByLabel('Value').fill('192.0.2.77');
    await page.getByLabel('Reason').fill('e2e: scanning our OCPP port');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const row = page.locator('tr[data-entry="192.0.2.77"]');
    await row.waitFor();
    const entries = await p.services.perimeter.entries();
    assert.ok(entries.some((e) => e.list === 'block' && e.kind === 'ip' && e.value === '192.0.2.77'), JSON.stringify(entries));
    await b.screenshot('21-security-blocks');
    // the confirmation by keyboard alone: Escape cancels; Cancel has the focus, Tab then Enter confirms
    await row.getByRole('button', { name: 'Remove' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.ok((await p.services.perimeter.entries()).some((e) => e.value === '192.0.2.77'), 'Escape removed nothing');
    await row.getByRole('button', { name: 'Remove' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    assert.ok(!(await p.services.perimeter.entries()).some((e) => e.value === '192.0.2.77'));
    await open('Security log');
    await page.getByTestId('chain-status').getByText('Chain intact').waitFor();
    await b.screenshot('22-security-log');
    await signOut();
    assert.deepEqual(b.errors, []);
  });

  it('the tariff editor previews the price of a sample session as it is edited, then saves the tariff', async () => {
    const { page } = b;
    await signIn(['billing_manager']);
    await open('Tariffs');
    await page.getByRole('button', { name: 'New tariff' }).click();
    const editor = page.getByTestId('tariff-editor');
    await editor.getByLabel('Name').fill('E2E AC');
    await editor.getByLabel('VAT %').fill('20');
    await editor.getByLabel('Price per kWh').fill('0.50');
    await editor.getByLabel('Duration (hours)').fill('1');
    await editor.getByLabel('Energy (kWh)').fill('10');
    // 10 kWh × 0.50 = 5.00 net, 20 % VAT → 6.00
    await editor.getByTestId('preview-total').getByText('6.00 EUR').waitFor();
    await editor.getByLabel('Price per kWh').fill('0.40');
    await editor.getByTestId('preview-total').getByText('4.80 EUR').waitFor();
    await b.screenshot('30-tariff-editor');
    await editor.getByRole('button', { name: 'Create tariff' }).click();
    await page.locator('tr[data-tariff="E2E AC"]').waitFor();
    const saved = (await p.services.tariffs.list()).find((t) => t.name === 'E2E AC');
    assert.equal(saved?.vatRate, '20');
    assert.deepEqual(b.errors, []);
  });

  it('an invoice built from a charged session downloads as a PDF', async () => {
    const { page } = b;
    const customer = await p.services.customers.create({ name: 'Erika E2E', email: 'erika@example.org' });
    const card = 'E2E-INVOICE-CARD';
    await p.repos.tokens.upsert({ idToken: card, status: 'Accepted' });
    await p.store.db.updateTable('idTokens').set({ customerId: customer.id }).where('uidIndex', '=', await p.services.privacy.index(card)).execute();
    const tariff = await p.services.tariffs.create({ name: 'E2E invoice', currency: 'EUR', pricePerKwh: '0.30', pricePerMinute: '0', startFee: '0', vatRate: '20' });
    const password = await p.addStation('E2E-INV-1');
    await p.services.tariffs.assign('E2E-INV-1', tariff.id);
    const client = await RawClient.connect(`${p.ocppUrl}/E2E-INV-1`, { protocols: ['ocpp1.6'], user: 'E2E-INV-1', password });
    try {
      await client.call('b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      const [, , started] = await client.call('s1', 'StartTransaction', { connectorId: 1, idTag: card, meterStart: 0, timestamp: new Date(Date.now() - 3_600_000).toISOString() });
      const txRef = String((started as { transactionId: number }).transactionId);
      await client.call('s2', 'StopTransaction', { transactionId: Number(txRef), meterStop: 10_000, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
      const tx = await p.repos.transactions.findByRef('E2E-INV-1', txRef);
      await until('CDR issued', async () => (await p.repos.cdrs.byTransaction(tx!.id)) !== undefined);
    } finally {
      client.close();
    }
    const now = new Date();
    const period = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    const [draft] = await p.services.invoices.generate(customer.id, period);
    assert.ok(draft, 'a draft invoice');
    await open('Invoices');
    const row = page.locator(`tr[data-invoice="${draft.id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Issue' }).click();
    await row.getByText('issued', { exact: true }).waitFor();
    await b.screenshot('31-invoices');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /^PDF of / }).click()]);
    const issued = await p.services.invoices.get(Number(draft.id));
    assert.equal(download.suggestedFilename(), `${issued!.number}.pdf`);
    const pdf = readFileSync((await download.path())!);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    await row.getByRole('button', { name: 'Void' }).click();
    await page.getByRole('dialog').getByLabel('Reason (at least 3 characters)').fill('e2e: billed twice');
    await page.getByRole('dialog').getByRole('button', { name: 'Void' }).click();
    await row.getByText('void', { exact: true }).waitFor();
    assert.equal((await p.services.invoices.get(Number(draft.id)))?.voidReason, 'e2e: billed twice');
    await signOut();
    assert.deepEqual(b.errors, []);
  });

  it('an administrator creates an API key, sees it once, and it works; the administration pages show', async () => {
    const { page } = b;
    await signIn(['admin']);
    await open('API keys');
    await page.getByLabel('Name').fill('e2e-dso');
    await page.getByLabel('Role').selectOption('dso');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-secret').textContent()) ?? '';
    assert.match(secret, /^ov2xk_/);
    await b.screenshot('40-api-key-shown-once');
    const works = await fetch(`${p.httpUrl}/api/v1/stations`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(works.status, 200, 'the key shown is the key');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByTestId('new-secret').waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('tr[data-key="e2e-dso"]').waitFor();
    assert.ok(!(await page.content()).includes(secret), 'not shown again');
    // roles and scope of an account changed from the users page
    const colleague = await localUser(p, ['support_l1']);
    await open('Users & roles');
    await page.getByRole('button', { name: `Edit roles and scope of ${colleague.username}` }).click();
    const edit = page.getByTestId('edit-access');
    await edit.getByLabel('support_l2').check();
    await edit.getByLabel('Station groups (comma-separated; empty: all)').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const changed = await p.repos.users.byUsername(colleague.username);
    assert.deepEqual(rolesOf(changed!), ['support_l1', 'support_l2']);
    for (const [title, shot, heading] of [['Users & roles', '41-users', 'Users'], ['Sign-in directories', '42-directories', 'Sign-in directories'], ['Audit log', '43-audit', 'Audit log'], ['PKI', '44-pki', 'PKI']] as const) {
      await open(title);
      await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Loading' }).waitFor({ state: 'detached' });
      await b.screenshot(shot);
    }
    // PKI: the CA's status and a station certificate revoked from the page
    await p.services.pki.init({ algorithm: 'ec-p256', organization: 'OV2X' });
    await p.services.pki.sign({ stationId: 'E2E-PKI-1', certificateType: 'ChargingStationCertificate', csrPem: await csrFor('CN=E2E-PKI-1, O=OV2X') });
    await page.reload();
    await page.getByTestId('ca-table').getByText('issuing').waitFor();
    const cert = page.getByTestId('certs-table').locator('tr').filter({ hasText: 'E2E-PKI-1' });
    await cert.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').selectOption('keyCompromise');
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await cert.getByText('revoked', { exact: true }).waitFor();
    const [issued] = await p.services.pki.list({ stationId: 'E2E-PKI-1', limit: 1 });
    assert.equal(issued?.revocationReason, 'keyCompromise');
    await b.screenshot('44-pki');
    await page.setViewportSize({ width: 390, height: 800 });
    // narrow screens fold the navigation behind the menu button
    const menu = page.getByRole('button', { name: 'Menu' });
    assert.ok(await menu.isVisible(), 'a menu button on a phone-sized screen');
    await menu.click();
    await open('Tokens');
    await page.locator('table[data-testid="tokens-table"]').waitFor();
    await b.screenshot('45-tokens-narrow');
    assert.deepEqual(b.errors, []);
  });
});
