import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useHuza } from './support/harness.ts';
import { startServer } from './support/server-under-test.ts';

const huza = useHuza(startServer);

/** yyyy-mm-dd in Kigali, `days` from the fixture's now. */
function kigaliDay(days: number): string {
  return new Date(huza.fixture.now.getTime() + days * 86_400_000 + 2 * 3_600_000).toISOString().slice(0, 10);
}

async function rowTexts(page: Page): Promise<string[]> {
  await page.getByTestId('audit-table').or(page.getByTestId('audit-empty')).waitFor();
  return page.getByTestId('audit-row').allTextContents();
}

async function applyFilters(page: Page, filters: { from?: string; to?: string; agent?: string; patient?: string; action?: string; outcome?: string }) {
  const form = page.getByTestId('audit-filters');
  await form.getByRole('button', { name: 'Clear' }).click();
  if (filters.from) await form.getByLabel('From').fill(filters.from);
  if (filters.to) await form.getByLabel('To').fill(filters.to);
  if (filters.agent) await form.getByLabel('Who (agent)').fill(filters.agent);
  if (filters.patient) await form.getByLabel('Patient').fill(filters.patient);
  if (filters.action) await form.getByLabel('Action').selectOption({ label: filters.action });
  if (filters.outcome) await form.getByLabel('Outcome').selectOption({ label: filters.outcome });
  // The results shown before Apply go away while the new search loads.
  const shown = await page.getByTestId('audit-table').or(page.getByTestId('audit-empty')).elementHandle();
  await form.getByRole('button', { name: 'Apply' }).click();
  await shown?.waitForElementState('hidden');
  await page.getByTestId('audit-table').or(page.getByTestId('audit-empty')).waitFor();
}

test('an auditor reads the audit log, pages through it and filters it', async () => {
  const { expect } = huza.fixture;
  const page = await huza.newPage();
  await huza.login(page, 'auditor');
  assert.equal(new URL(page.url()).pathname, '/app/w/auditor/audit-log');
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  assert.deepEqual(await page.getByRole('navigation').getByRole('link').allTextContents(), ['Audit log', 'My profile']);

  // First page: 50 events, newest first; there is a next page.
  const firstPage = await rowTexts(page);
  assert.equal(firstPage.length, 50);
  const total = Number(/Events found: (\d+)/.exec(await page.getByTestId('pager-summary').innerText())?.[1]);
  assert.ok(total >= expect.totalAuditEvents, `total ${total}`);
  // Huza records sign-ins in the same trail: the auditor's own is the newest, shown as such.
  assert.match(firstPage[0], /e2e\.auditor.*Signed in.*Success/);
  await huza.screenshot(page, 'auditor-audit-log');

  const next = page.getByRole('button', { name: 'Next' });
  const previous = page.getByRole('button', { name: 'Previous' });
  assert.equal(await previous.isDisabled(), true);
  await next.click();
  await page.waitForFunction((first) => document.querySelector('[data-testid="audit-row"]')?.textContent !== first, firstPage[0]);
  const secondPage = await rowTexts(page);
  assert.equal(secondPage.length, Math.min(50, total - 50));
  assert.ok(!secondPage.includes(firstPage[0]));
  await previous.click();
  await page.waitForFunction((first) => document.querySelector('[data-testid="audit-row"]')?.textContent === first, firstPage[0]);

  // Who: everything the specialist did, and nothing else (she never logs in during the tests).
  await applyFilters(page, { agent: expect.specialistRef });
  assert.match(page.url(), /agent=Practitioner%2Fe2e-specialist-1/);
  const bySpecialist = await rowTexts(page);
  assert.equal(bySpecialist.length, expect.specialistEventCount);
  for (const row of bySpecialist) assert.match(row, new RegExp(expect.specialistName));
  assert.equal(await page.locator('[data-testid="audit-row"][data-btg="true"]').count(), 1);
  await huza.screenshot(page, 'auditor-filtered');

  // Date range: only the last two days of her accesses (the emergency one).
  await applyFilters(page, { agent: expect.specialistRef, from: kigaliDay(-2), to: kigaliDay(0) });
  const recent = await rowTexts(page);
  assert.equal(recent.length, 1);
  assert.match(recent[0], /Emergency access/i);

  // Outcome and action: the refused accesses.
  await applyFilters(page, { outcome: 'Minor failure' });
  const minor = await rowTexts(page);
  assert.ok(minor.length >= 1);
  for (const row of minor) assert.match(row, /Minor failure/);
  await applyFilters(page, { outcome: 'Serious failure', action: 'Viewed', agent: 'Practitioner/e2e-chw-1' });
  assert.equal((await rowTexts(page)).length, 1);

  // Patient: every access to one record.
  await applyFilters(page, { patient: 'Patient/e2e-patient-1' });
  const forPatient = await rowTexts(page);
  assert.ok(forPatient.length >= expect.patientEventCount);
  for (const row of forPatient) assert.match(row, /Patient\/e2e-patient-1/);

  // A filter that matches nothing says so.
  await applyFilters(page, { agent: expect.specialistRef, from: kigaliDay(1) });
  await page.getByTestId('audit-empty').getByText('No access has been recorded.').waitFor();

  // The filters live in the URL: a reload keeps them.
  await applyFilters(page, { agent: expect.specialistRef });
  await page.reload();
  assert.equal((await rowTexts(page)).length, expect.specialistEventCount);
  assert.equal(await page.getByTestId('audit-filters').getByLabel('Who (agent)').inputValue(), expect.specialistRef);
});
