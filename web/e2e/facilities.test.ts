import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useHuza } from './support/harness.ts';
import { startServer } from './support/server-under-test.ts';

const huza = useHuza(startServer);

test('a registry steward finds facilities by district and level, sees them on the map, and edits one', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'steward');
  await page.goto(huza.app('/w/registry-steward/facilities'));
  await page.getByRole('heading', { level: 1, name: 'Facility registry' }).waitFor();
  const table = page.getByTestId('facility-table');
  await table.waitFor();
  assert.deepEqual(await page.getByTestId('facility-row').locator('td:first-child').allTextContents(),
    ['Kibagabaga District Hospital', 'Nyamata Health Centre', 'University Teaching Hospital of Kigali (CHUK)']);
  assert.equal(await page.getByTestId('facility-dot').count(), 3, 'every facility with a position is on the map');
  await page.getByTestId('facility-map').getByText('Gasabo').waitFor();
  // Rwanda's border, from the shipped Natural Earth outline (no tiles), is drawn under the dots.
  const border = page.getByTestId('country-outline');
  await border.waitFor();
  assert.equal(await border.getAttribute('aria-hidden'), 'true');
  assert.ok(((await border.getAttribute('d')) ?? '').split('L').length > 100, 'the border is the shipped outline');
  assert.ok(await page.getByTestId('facility-map').evaluate((svg) => svg.firstElementChild?.getAttribute('data-testid') === 'country-outline'),
    'the border is drawn first, under the labels and dots');
  const area = (await border.boundingBox())!;
  for (const dot of await page.getByTestId('facility-dot').all()) {
    const at = (await dot.boundingBox())!;
    assert.ok(at.x >= area.x && at.y >= area.y && at.x + at.width <= area.x + area.width && at.y + at.height <= area.y + area.height,
      `${await dot.getAttribute('data-facility')} lies within the border's extent`);
  }

  // District and level narrow the search (mCSD: partof, type).
  const form = page.getByTestId('facility-search');
  await form.getByLabel('District').click();
  await page.getByRole('option', { name: 'Gasabo' }).click();
  await form.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="facility-row"]').length === 1);
  assert.deepEqual(await page.getByTestId('facility-row').locator('td:first-child').allTextContents(), ['Kibagabaga District Hospital']);
  await huza.screenshot(page, 'steward-facilities');

  // A steward edits the facility: the registry stores the new version.
  await page.getByTestId('facility-row').getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Phone').fill('+250788300999');
  await dialog.getByLabel('Name').fill('Kibagabaga Level Two Teaching Hospital');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('facility-notice').getByText('Kibagabaga Level Two Teaching Hospital was saved.').waitFor();
  await page.getByTestId('facility-row').getByText('Kibagabaga Level Two Teaching Hospital').waitFor();
});

test('an exchange administrator browses facilities but does not edit them', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'admin');
  await page.goto(huza.app('/w/exchange-admin/facilities'));
  await page.getByTestId('facility-table').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Edit' }).count(), 0);
  const form = page.getByTestId('facility-search');
  await form.getByLabel('Level').click();
  await page.getByRole('option', { name: 'Health centre' }).click();
  await form.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="facility-row"]').length === 1);
  assert.deepEqual(await page.getByTestId('facility-row').locator('td:first-child').allTextContents(), ['Nyamata Health Centre']);
});
