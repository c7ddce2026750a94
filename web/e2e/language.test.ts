import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { appAccessToken, defaultLogin, useHuza } from './support/harness.ts';
import { startServer } from './support/server-under-test.ts';

const huza = useHuza(startServer);

async function chooseLanguage(page: Page, label: 'English' | 'Français' | 'Ikinyarwanda') {
  await page.getByTestId('language-switch').click();
  await page.getByRole('menuitem', { name: label }).click();
  await page.getByTestId('language-switch').getByText(label).waitFor();
}

async function heading(page: Page): Promise<string> {
  return page.getByRole('heading', { level: 1 }).innerText();
}

test('a clinician sees only the profile, in English, French and Kinyarwanda, and the choice survives reloads and logout', async () => {
  const page = await huza.newPage();
  await huza.login(page, 'clinician');
  // A role whose own pages are not built yet: its workspace has the profile and nothing else.
  assert.equal(new URL(page.url()).pathname, '/app/w/clinician/profile');
  assert.equal(await heading(page), 'My profile');
  assert.deepEqual(await page.getByRole('navigation').getByRole('link').allTextContents(), ['My profile']);
  await page.getByTestId('profile-qualifications').getByText('Doctor of Medicine (general practice)').waitFor();
  await page.getByTestId('profile-qualifications').getByText(huza.fixture.expect.clinicianLicenceNumber).waitFor();
  await page.getByTestId('profile-qualifications').getByText('Issued by Rwanda Medical and Dental Council').waitFor();
  await page.getByTestId('profile-facilities').getByText('University Teaching Hospital of Kigali (CHUK)').waitFor();
  await page.getByText('CLINICIAN WORKSPACE', { exact: false }).or(page.getByText('Clinician workspace')).first().waitFor();
  await huza.screenshot(page, 'clinician-profile-en');

  await chooseLanguage(page, 'Français');
  assert.equal(await heading(page), 'Mon profil');
  await page.getByTestId('profile-qualifications').getByRole('heading', { name: 'Qualifications et licences' }).waitFor();
  await page.getByTestId('profile-qualifications').getByText('Délivrée par Rwanda Medical and Dental Council').waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Mon profil' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Mon profil' }).waitFor();
  await page.getByTestId('profile-contact').getByText('Téléphone').waitFor();
  await huza.screenshot(page, 'clinician-profile-fr');

  await chooseLanguage(page, 'Ikinyarwanda');
  assert.equal(await heading(page), 'Umwirondoro wanjye');
  await page.getByTestId('profile-qualifications').getByRole('heading', { name: "Impamyabushobozi n'impushya" }).waitFor();
  await page.getByTestId('profile-identifiers').getByText('Indangamuntu').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'rw');
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Umwirondoro wanjye' }).waitFor();
  await huza.screenshot(page, 'clinician-profile-rw');

  // Log out: back on the start page, still in Kinyarwanda, and the workspace is closed.
  await page.getByTestId('user-menu').click();
  await page.getByTestId('logout').getByText('Sohoka').waitFor();
  await page.keyboard.press('Escape');
  const token = await appAccessToken(page);
  await huza.logout(page);
  // Logging out ends the session at the server: its access token is refused from then on.
  const afterLogout = await fetch(`${huza.server.origin}/fhir/${huza.fixture.accounts.clinician.fhirUser}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(afterLogout.status, 401);
  await page.getByTestId('login-button').getByText('Injira').waitFor();
  await huza.screenshot(page, 'landing-rw');
  await page.goto(huza.app('w/clinician/profile'));
  await page.getByTestId('login-button').waitFor();
  assert.equal(await page.getByTestId('user-menu').count(), 0);

  // Back to English from the start page.
  await chooseLanguage(page, 'English');
  await page.getByTestId('login-button').getByText('Log in').waitFor();
});

test('a patient who chose French before logging in reads the access log in French, then in Kinyarwanda', async () => {
  const page = await huza.newPage();
  await page.goto(huza.app());
  await chooseLanguage(page, 'Français');
  await page.getByTestId('login-button').getByText('Se connecter').waitFor();
  // The app asks for its language (OIDC ui_locales): Huza's own login page is in French too.
  await page.getByTestId('login-button').click();
  await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await page.getByRole('heading', { level: 1, name: 'Se connecter à Huza' }).waitFor();
  await page.getByLabel("Nom d'utilisateur").waitFor();
  await huza.screenshot(page, 'login-fr');
  await (huza.server.login ?? defaultLogin)(page, huza.fixture.accounts.patient);
  await page.waitForURL((url) => url.pathname.startsWith('/app/w/'));
  await page.getByRole('heading', { level: 1, name: 'Qui a consulté mon dossier' }).waitFor();
  await page.getByTestId('access-chart').getByRole('heading', { name: 'Accès par semaine' }).waitFor();
  await page.getByTestId('access-chart-summary').getByText(/12 dernières semaines : \d+ accès, dont \d+ en urgence/).waitFor();
  await page.locator('[data-testid="audit-row"][data-btg="true"]').first().getByText("Accès d'urgence").waitFor();
  await page.getByTestId('audit-table').getByRole('columnheader', { name: 'Motif' }).waitFor();
  await page.getByTestId('audit-table').getByText('Consultation').first().waitFor();
  await huza.screenshot(page, 'patient-access-log-fr');

  await chooseLanguage(page, 'Ikinyarwanda');
  await page.getByRole('heading', { level: 1, name: 'Abarebye dosiye yanjye' }).waitFor();
  await page.getByTestId('access-chart').getByRole('heading', { name: 'Inshuro dosiye yarebwe buri cyumweru' }).waitFor();
  await page.locator('[data-testid="audit-row"][data-btg="true"]').first().getByText('Kwinjira byihutirwa').waitFor();
  await page.getByTestId('audit-table').getByRole('columnheader', { name: 'Uwabikoze' }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Umwirondoro wanjye' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Abarebye dosiye yanjye' }).waitFor();
  await huza.screenshot(page, 'patient-access-log-rw');
});
