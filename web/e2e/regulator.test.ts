import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useHuza } from './support/harness.ts';
import { startServer } from './support/server-under-test.ts';

const huza = useHuza(startServer);

function row(page: Page, number: string) {
  return page.locator(`[data-testid="licence-row"][data-licence-number="${number}"]`);
}

async function licenceNumbers(page: Page): Promise<string[]> {
  await page.getByTestId('licence-table').or(page.getByText('No licences to show.')).waitFor();
  return page.getByTestId('licence-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-licence-number') ?? ''));
}

async function changeStatus(page: Page, number: string, action: 'Suspend' | 'Revoke' | 'Reinstate', expected: string) {
  await row(page, number).getByRole('button', { name: action }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText(number).waitFor();
  await dialog.getByTestId('confirm-status-change').click();
  await dialog.waitFor({ state: 'detached' });
  await row(page, number).getByTestId('licence-status').getByText(expected, { exact: true }).waitFor();
}

test('a regulator lists, issues, suspends and reinstates licences, and filters those expiring soon', async () => {
  const { expect } = huza.fixture;
  const page = await huza.newPage();
  await huza.login(page, 'regulator');
  assert.equal(new URL(page.url()).pathname, '/app/w/regulator/licences');
  await page.getByRole('heading', { level: 1, name: 'Licence registry' }).waitFor();

  // Practitioner licences, with their statuses.
  const practitioners = await licenceNumbers(page);
  for (const n of [expect.clinicianLicenceNumber, expect.expiringPractitionerLicence, 'NCNM-N-33012', 'NPC-P-04551']) assert.ok(practitioners.includes(n), n);
  await row(page, expect.clinicianLicenceNumber).getByText('Dr. Eric Niyonzima').waitFor();
  await row(page, expect.clinicianLicenceNumber).getByText('Rwanda Medical and Dental Council').waitFor();
  await row(page, 'NCNM-N-33012').getByTestId('licence-status').getByText('Suspended').waitFor();
  await row(page, 'NPC-P-04551').getByTestId('licence-status').getByText('Expired').waitFor();
  assert.equal(await row(page, 'NPC-P-04551').getByRole('button').count(), 0, 'an expired licence offers no action');
  await huza.screenshot(page, 'regulator-licences');

  // Suspend, then reinstate.
  await changeStatus(page, expect.clinicianLicenceNumber, 'Suspend', 'Suspended');
  await page.getByTestId('licence-notice').getByText(`Licence ${expect.clinicianLicenceNumber} is suspended.`).waitFor();
  await changeStatus(page, expect.clinicianLicenceNumber, 'Reinstate', 'Active');

  // Issue a licence to a practitioner who has none.
  const number = `RMDC-A-${String(Date.now()).slice(-6)}`;
  await page.getByRole('button', { name: 'Issue a licence' }).click();
  const dialog = page.getByRole('dialog');
  const form = dialog.getByTestId('issue-form');
  await form.getByRole('button', { name: 'Issue licence' }).click();
  assert.ok(await form.getByText('Required').count() >= 2, 'empty form is refused');
  await form.getByLabel('Practitioner').fill('Mukeshimana');
  await page.getByRole('option', { name: expect.unlicensedPractitionerName }).click();
  await form.getByLabel('Licence number').fill(number);
  assert.equal(await form.getByLabel('Issuing body').inputValue(), 'Rwanda Medical and Dental Council');
  await huza.screenshot(page, 'regulator-issue');
  await form.getByRole('button', { name: 'Issue licence' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId('licence-notice').getByText(`Licence ${number} issued to ${expect.unlicensedPractitionerName}.`).waitFor();
  await row(page, number).getByTestId('licence-status').getByText('Active').waitFor();
  await row(page, number).getByText(expect.unlicensedPractitionerRef).waitFor();

  // Expiring within 30 days.
  await page.getByLabel('Expiring within 30 days').check();
  await page.getByTestId('licence-table').waitFor();
  await row(page, expect.expiringPractitionerLicence).waitFor();
  const expiring = await licenceNumbers(page);
  assert.ok(!expiring.includes(expect.clinicianLicenceNumber));
  assert.ok(!expiring.includes(number));
  await page.getByRole('tab', { name: 'Facility digital-health licences' }).click();
  await row(page, 'MOH-DHL-0002').waitFor();
  assert.deepEqual((await licenceNumbers(page)).filter((n) => n.startsWith('MOH-DHL-000')), ['MOH-DHL-0002']);

  // All facility licences, with their scope; revoke one.
  await page.getByLabel('Expiring within 30 days').uncheck();
  await row(page, 'MOH-DHL-0001').getByText('Electronic medical records, telemedicine, e-prescribing').waitFor();
  await row(page, 'MOH-DHL-0003').getByTestId('licence-status').getByText('Revoked').waitFor();
  await changeStatus(page, 'MOH-DHL-0001', 'Revoke', 'Revoked');
  assert.equal(await row(page, 'MOH-DHL-0001').getByRole('button').count(), 0, 'a revoked licence is final');
  await huza.screenshot(page, 'regulator-facilities');
});

test('someone with two roles switches workspace', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'regulator');
  const switcher = page.getByTestId('role-switch');
  assert.equal(await switcher.inputValue(), 'regulator');
  await switcher.selectOption('auditor');
  await page.waitForURL((url) => url.pathname === '/app/w/auditor/audit-log');
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  assert.deepEqual(await page.getByRole('navigation').getByRole('link').allTextContents(), ['Audit log', 'My profile']);
  await huza.screenshot(page, 'role-switch');
  // The last workspace used is where the next visit opens.
  await page.goto(huza.app());
  await page.waitForURL((url) => url.pathname === '/app/w/auditor/audit-log');
  // A workspace of a role one does not have is not reachable.
  await page.goto(huza.app('w/patient/access-log'));
  await page.waitForURL((url) => url.pathname === '/app/w/auditor/audit-log');
});
