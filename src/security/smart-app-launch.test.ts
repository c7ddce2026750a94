import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from '../test-support/free-port.ts';
import { testDatabaseKinds } from '../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../test-support/test-server.ts';

const fhirClientJs = readFileSync(createRequire(import.meta.url).resolve('fhirclient/build/fhir-client.js'), 'utf8');
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A SMART app as third parties write them: two static pages on their own origin using the fhirclient library. */
function smartApp(fhirBase: string, clientId: string): Server {
  const pages: Record<string, string> = {
    '/launch.html': `<!doctype html><script src="/fhir-client.js"></script><script>
      FHIR.oauth2.authorize({ iss: ${JSON.stringify(fhirBase)}, clientId: ${JSON.stringify(clientId)},
        scope: 'openid fhirUser launch/patient patient/*.rs', redirectUri: '/app.html' });</script>`,
    '/app.html': `<!doctype html><div id="out">loading</div><script src="/fhir-client.js"></script><script>
      FHIR.oauth2.ready()
        .then((client) => Promise.all([client.patient.read(), client.request('Observation?_count=10', { flat: true })]))
        .then(([patient, observations]) => { document.getElementById('out').textContent =
          'patient ' + patient.id + ' ' + patient.name[0].family + ' observations ' + observations.length; })
        .catch((e) => { document.getElementById('out').textContent = 'ERROR ' + e.message; });</script>`,
    '/fhir-client.js': fhirClientJs,
  };
  return createServer((req, res) => {
    const body = pages[new URL(req.url ?? '/', 'http://app').pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': req.url?.endsWith('.js') ? 'text/javascript' : 'text/html' });
    res.end(body ?? 'not found');
  });
}

describe('a SMART app launched with the fhirclient library', () => {
  let browser: Browser;
  before(async () => {
    // Debian's Chromium, installed when missing (never a browser a test tool downloads).
    execFileSync('bash', [fileURLToPath(new URL('../../web/e2e/ensure-chromium.sh', import.meta.url))], { stdio: 'inherit' });
    browser = await chromium.launch({ executablePath: process.env.HUZA_CHROMIUM ?? '/usr/bin/chromium', args: chromiumFlags });
  });
  after(() => browser?.close());

  for (const kind of testDatabaseKinds) {
    describe(kind.name, () => {
      let s: TestServer;
      let app: Server;
      let appOrigin: string;
      let patientId: string;
      before(async () => {
        s = await startTestServer(kind);
        patientId = (await s.fhir('Patient', { method: 'POST', body: { resourceType: 'Patient', name: [{ family: 'Ingabire', given: ['Divine'] }] } })).body.id;
        for (const value of [3.1, 3.4]) {
          await s.fhir('Observation', { method: 'POST', body: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: `Patient/${patientId}` }, valueQuantity: { value, unit: 'kg' } } });
        }
        await s.fhir('Observation', { method: 'POST', body: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: 'Patient/someone-else' } } });
        await s.security.accounts.create({ username: 'divine', password: 'correct horse battery', displayName: 'Divine Ingabire', roles: ['patient'], fhirUser: `Patient/${patientId}` });
        const port = await freePort();
        appOrigin = `http://127.0.0.1:${port}`;
        await s.security.clients.createAppClient({
          clientId: 'growth-chart', name: 'Growth chart', public: true,
          scope: 'openid fhirUser launch/patient patient/*.rs', redirectUris: [`${appOrigin}/app.html`],
        });
        app = smartApp(s.fhirBase, 'growth-chart');
        await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
      });
      after(async () => {
        await new Promise((resolve) => app?.close(resolve));
        await s?.close();
      });

      test('standalone launch: login, consent, patient context, reads over CORS', async () => {
        const page = await browser.newPage();
        try {
          await page.goto(`${appOrigin}/launch.html`);
          await page.waitForURL(/\/interaction\//);
          await page.fill('input[name=username]', 'divine');
          await page.fill('input[name=password]', 'correct horse battery');
          await page.click('button[type=submit]');
          await page.waitForSelector('text=Growth chart');
          await page.click('button:has-text("Allow")');
          await page.waitForURL(`${appOrigin}/app.html**`);
          await page.waitForFunction("document.getElementById('out').textContent !== 'loading'");
          const out = await page.textContent('#out');
          assert.equal(out, `patient ${patientId} Ingabire observations 2`);
        } finally {
          await page.close();
        }
      });
    });
  }
});
