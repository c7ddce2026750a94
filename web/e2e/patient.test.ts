import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appAccessToken, useHuza } from './support/harness.ts';
import { startServer } from './support/server-under-test.ts';

const huza = useHuza(startServer);

/** Ends a token's life at the server (RFC 7009 revocation, as the public client huza-web). */
async function revoke(token: string): Promise<void> {
  const response = await fetch(`${huza.server.origin}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, client_id: 'huza-web' }),
  });
  assert.equal(response.status, 200, await response.text());
}

test('a patient logs in, lands in the patient workspace and sees who accessed their record', async () => {
  const page = await huza.newPage();
  await page.goto(huza.app());
  await page.getByTestId('login-button').waitFor();
  await huza.screenshot(page, 'landing');

  await huza.login(page, 'patient');
  assert.match(new URL(page.url()).pathname, /^\/app\/w\/patient\/access-log$/);
  await page.getByRole('heading', { level: 1, name: 'Who viewed my record' }).waitFor();

  // The patient workspace offers exactly its pages, and no role switcher (one role).
  const nav = page.getByRole('navigation');
  assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Who viewed my record', 'My profile']);
  assert.equal(await page.getByTestId('role-switch').count(), 0);

  // Every fixture access to the record is listed, newest first, the emergency one marked.
  const rows = page.getByTestId('audit-row');
  await rows.first().waitFor();
  assert.ok(await rows.count() >= huza.fixture.expect.patientEventCount);
  const btgRows = page.locator('[data-testid="audit-row"][data-btg="true"]');
  assert.ok(await btgRows.count() >= huza.fixture.expect.patientEmergencyCount);
  const btgRow = btgRows.first();
  assert.match(await btgRow.textContent() ?? "", new RegExp(huza.fixture.expect.specialistName));
  assert.match(await btgRow.textContent() ?? "", /Emergency access/);
  await page.getByText('Dr. Eric Niyonzima').first().waitFor();
  await page.getByTestId('audit-table').getByText('Your personal details').first().waitFor();

  // The chart of accesses per week: 12 weeks, bars drawn, the counts summarised in words.
  const chart = page.getByTestId('access-chart');
  await chart.getByRole('heading', { name: 'Accesses per week' }).waitFor();
  const summary = await page.getByTestId('access-chart-summary').innerText();
  const m = /Last 12 weeks: (\d+) accesses, of which (\d+) emergency/.exec(summary);
  assert.ok(m, summary);
  assert.ok(Number(m[1]) >= huza.fixture.expect.patientEventCount);
  assert.ok(Number(m[2]) >= huza.fixture.expect.patientEmergencyCount);
  assert.ok(await chart.locator('.recharts-bar-rectangle path, .recharts-rectangle').count() > 0, 'bars drawn');
  await huza.screenshot(page, 'patient-access-log');

  // My profile: the patient's own record.
  await nav.getByRole('link', { name: 'My profile' }).click();
  await page.getByTestId('profile-name').getByText(huza.fixture.expect.patientName).waitFor();
  await page.getByTestId('profile-identifiers').getByText(huza.fixture.expect.patientNationalId).waitFor();
  await page.getByTestId('profile-identifiers').getByText('National ID').waitFor();
  await page.getByTestId('profile-contact').getByText('+250 722 555 018').waitFor();
  await page.getByTestId('profile-address').getByText(/Gasabo/).waitFor();
  await huza.screenshot(page, 'patient-profile');
});

test('a link into the workspace survives the login round trip', async () => {
  const page = await huza.newPage();
  await page.goto(huza.app('w/patient/profile'));
  await page.getByTestId('login-button').waitFor();
  await huza.login(page, 'patient');
  assert.equal(new URL(page.url()).pathname, '/app/w/patient/profile');
  await page.getByTestId('profile-name').getByText(huza.fixture.expect.patientName).waitFor();
  // The session lives in the tab: a reload stays signed in.
  await page.reload();
  await page.getByTestId('profile-name').getByText(huza.fixture.expect.patientName).waitFor();
  // Huza recorded those reads of her record: the access log shows them as her own.
  await page.getByRole('navigation').getByRole('link', { name: 'Who viewed my record' }).click();
  const own = page.getByTestId('audit-row').filter({ hasText: 'You' }).filter({ hasText: 'Your personal details' });
  await own.first().waitFor();
  assert.match(await own.first().innerText(), /Viewed/);
  await huza.screenshot(page, 'patient-access-log-own');
});

test('a patient cannot open another role\'s pages', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'patient');
  await page.goto(huza.app('w/auditor/audit-log'));
  await page.waitForURL((url) => url.pathname === '/app/w/patient/access-log');
  await page.goto(huza.app('w/patient/licences'));
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
});

test('an access token the server no longer accepts is renewed silently, without leaving the page', async (t) => {
  // Huza's CSP carries `upgrade-insecure-requests`: on a plain-http origin (these tests; any http
  // deployment) Chromium upgrades the renewal iframe to https://, which nothing serves, and blocks it.
  const csp = (await fetch(huza.app())).headers.get('content-security-policy') ?? '';
  if (huza.server.origin.startsWith('http:') && csp.includes('upgrade-insecure-requests')) {
    t.todo('Huza sends CSP upgrade-insecure-requests on a plain-http origin, which blocks the silent-renewal iframe');
  }
  const page = await huza.newPage();
  await huza.login(page, 'patient');
  await page.getByTestId('audit-row').first().waitFor();
  const first = await appAccessToken(page);
  assert.ok(first);
  await revoke(first);
  // The next call gets 401; the app renews (prompt=none in a hidden iframe, the server session still
  // open) and repeats the call with the new token.
  await page.getByRole('navigation').getByRole('link', { name: 'My profile' }).click();
  await page.getByTestId('profile-name').getByText(huza.fixture.expect.patientName).waitFor({ timeout: 8_000 });
  const second = await appAccessToken(page);
  assert.ok(second && second !== first, 'a new access token');
  assert.equal(new URL(page.url()).pathname, '/app/w/patient/profile');
});

test('when the server session is over too, a refused token signs the app out', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'patient');
  await page.getByTestId('audit-row').first().waitFor();
  await revoke((await appAccessToken(page))!);
  await page.context().clearCookies();
  await page.getByRole('navigation').getByRole('link', { name: 'My profile' }).click();
  await page.getByTestId('login-button').waitFor({ timeout: 20_000 });
  assert.equal(await appAccessToken(page), undefined);
  assert.equal(await page.getByTestId('user-menu').count(), 0);
});
