import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useHuza } from './support/harness.ts';
import { startServer } from './support/server-under-test.ts';

const huza = useHuza(startServer);

test('a steward browses the shipped code systems and searches concepts, in English and French', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'steward');
  await page.goto(huza.app('/w/registry-steward/terminology'));
  await page.getByRole('heading', { level: 1, name: 'Code systems' }).waitFor();
  await page.getByTestId('code-system').filter({ hasText: 'https://huza.rw/fhir/CodeSystem/health-worker-cadre' }).click();
  await page.getByTestId('concept-table').waitFor();
  await page.getByTestId('concept-row').filter({ hasText: 'General practitioner' }).waitFor();

  const form = page.getByTestId('concept-search');
  await form.getByLabel('Search concepts').fill('midwife');
  await form.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => Array.from(document.querySelectorAll("[data-testid=\"concept-row\"]")).every((r) => /midwife/i.test(r.textContent ?? '')));
  const rows = await page.getByTestId('concept-row').allTextContents();
  assert.ok(rows.length >= 1 && rows.every((r) => /midwife/i.test(r)), rows.join(' | '));
  await huza.screenshot(page, 'steward-terminology');

  // The same concepts, displayed in French from the code system's designations.
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitem', { name: 'Français' }).click();
  await page.getByRole('heading', { level: 1, name: 'Systèmes de codes' }).waitFor();
  await page.getByTestId('concept-row').filter({ hasText: 'Sage-femme' }).first().waitFor();
});
