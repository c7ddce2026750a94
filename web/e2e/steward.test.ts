import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useHuza } from './support/harness.ts';
import { startServer } from './support/server-under-test.ts';

const huza = useHuza(startServer);

test('a registry steward compares a possible duplicate side by side and links the two records', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'steward');
  assert.equal(new URL(page.url()).pathname, '/app/w/registry-steward/duplicates');
  await page.getByRole('heading', { level: 1, name: 'Possible duplicates' }).waitFor();
  assert.deepEqual(await page.getByRole('navigation').getByRole('link').allTextContents(), ['Possible duplicates', 'Facilities', 'Health workers', 'Products', 'Code systems', 'Workforce', 'My profile']);

  // The fixture's pair: same names and birth year, different birth dates and districts.
  const row = page.getByTestId('duplicate-row').filter({ hasText: 'Jeanne Mukeshimana' }).first();
  await row.waitFor();
  const comparison = page.getByTestId('duplicate-comparison');
  await comparison.waitFor();
  const birth = comparison.locator('[data-testid="comparison-row"][data-field="birthDate"]');
  // The newer record (left) against the one already known (right).
  assert.match(await birth.innerText(), /1985-09-12.*1985-03-02.*Partly/is);
  const family = comparison.locator('[data-testid="comparison-row"][data-field="family"]');
  assert.match(await family.getByTestId('agreement').innerText(), /Agrees/i);
  assert.match(await family.innerText(), /\+\d+\.\d/, 'the weight of the agreement is shown');
  await comparison.getByTestId('duplicate-history').getByText('New person').first().waitFor();
  await huza.screenshot(page, 'steward-duplicates');

  await comparison.getByLabel('Reason (kept with the decision)').fill('Same mother, confirmed by phone');
  await comparison.getByRole('button', { name: 'Same person: link' }).click();
  await page.getByTestId('duplicates-notice').getByText('Jeanne Mukeshimana and Jeanne Mukeshimana are now one person.').waitFor();
  await page.getByTestId('duplicates-empty').waitFor();
});

test('the review queue speaks French and Kinyarwanda too', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'steward');
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitem', { name: 'Français' }).click();
  await page.getByRole('heading', { level: 1, name: 'Doublons possibles' }).waitFor();
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitem', { name: 'Ikinyarwanda' }).click();
  await page.getByRole('heading', { level: 1, name: "Amadosiye ashobora kuba ari ay'umuntu umwe" }).waitFor();
});

test('an exchange administrator registers a facility EMR, whose credentials then get a token', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'admin');
  assert.equal(new URL(page.url()).pathname, '/app/w/exchange-admin/clients');
  await page.getByRole('heading', { level: 1, name: 'System clients' }).waitFor();
  await page.getByRole('button', { name: 'Register a client' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Kibagabaga DH OpenMRS');
  await dialog.getByLabel('Resource types').fill('Patient, Observation');
  await dialog.getByText('Read and search').click();
  assert.equal(await dialog.getByTestId('scope-preview').innerText(), 'system/Patient.rs system/Observation.rs');
  await dialog.getByRole('button', { name: 'Register', exact: true }).click();
  const created = page.getByTestId('client-created');
  await created.waitFor();
  const clientId = await created.getByTestId('new-client-id').innerText();
  const secret = await created.getByTestId('new-client-secret').innerText();
  await page.getByTestId('client-row').filter({ hasText: clientId }).waitFor();
  await huza.screenshot(page, 'admin-clients');

  // The standard client-credentials flow with what the page showed.
  const token = await fetch(`${huza.server.origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/Patient.rs' }),
  });
  assert.equal(token.status, 200, await token.clone().text());
  const { access_token } = (await token.json()) as { access_token: string };
  const patients = await fetch(`${huza.server.origin}/fhir/Patient?_summary=count`, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal(patients.status, 200);
  const observations = await fetch(`${huza.server.origin}/fhir/Encounter`, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal(observations.status, 403, 'only the scopes it was given');
});
