import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { createClient, freePort, processStorage, runHuza, tokenFor } from '../test-support/huza-process.ts';

const huzaBin = fileURLToPath(new URL('../../bin/huza', import.meta.url));
const patientName = 'Mukamanzi';
/** A well-formed national ID (the client registry checks the check digits). */
const nationalId = '1199070123456016';

describe('huza command', () => {
  test('--help lists the commands and the database settings', async () => {
    const { stdout } = await promisify(execFile)(huzaBin, ['--help']);
    for (const word of ['start', 'migrate', 'seed', 'DATABASE_URL', 'HUZA_DATA_DIR']) assert.match(stdout, new RegExp(word));
  });

  test('--dev-tls serves HTTPS with a self-signed certificate, HSTS and security headers', async () => {
    const storage = await processStorage('pglite');
    const env = { ...storage.env, PORT: String(await freePort()), HUZA_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') };
    const huza = runHuza(['start', '--dev-tls'], env);
    try {
      await huza.ready;
      assert.match(huza.fhirBase, /^https:/);
      const ca = readFileSync(join(storage.env.HUZA_DATA_DIR, 'dev-tls-cert.pem'), 'utf8');
      const response = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
        httpsGet(`${huza.fhirBase}/metadata`, { ca }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
        }).on('error', reject);
      });
      assert.equal(response.status, 200);
      assert.match(String(response.headers['strict-transport-security']), /max-age=31536000/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'self'/);
      // The command reaches the running server over HTTPS, trusting its development certificate.
      const client = await createClient(env);
      assert.ok(client.client_id);
    } finally {
      huza.child.kill('SIGTERM');
      await huza.exited;
      await storage.cleanup();
    }
  });

  test('a bad DATABASE_URL is a clear error, not a crash trace', async () => {
    const result = await promisify(execFile)(huzaBin, ['migrate'], { env: { ...process.env, DATABASE_URL: 'mysql://x' } }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((result as { code: number }).code, 1);
    assert.match((result as { stderr: string }).stderr, /DATABASE_URL must start with postgres/);
  });
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`huza start on ${kind}`, () => {
    test('serves FHIR and health checks, and its logs carry no patient data', async () => {
      const storage = await processStorage(kind);
      const port = await freePort();
      const env = { ...storage.env, PORT: String(port), HUZA_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') };
      // A client registered while no server runs (the command opens the database itself)…
      const before = await createClient(env);
      const huza = runHuza(['start'], env);
      try {
        await huza.ready;
        const origin = huza.fhirBase.replace(/\/fhir$/, '');
        // …and one registered while it runs (on the embedded database, through the server).
        const during = await createClient(env);
        assert.notEqual(during.client_id, before.client_id);
        await tokenFor(origin, during);
        const auth = { authorization: `Bearer ${await tokenFor(origin, before)}` };
        assert.equal((await fetch(`${huza.fhirBase}/Patient`)).status, 401, 'no token, no data');
        assert.equal((await fetch(`${origin}/healthz`)).status, 200);
        const ready = await fetch(`${origin}/readyz`);
        assert.equal(ready.status, 200);
        assert.equal(((await ready.json()) as { database: string }).database, kind);
        const created = await fetch(`${huza.fhirBase}/Patient`, {
          method: 'POST', headers: { 'content-type': 'application/fhir+json', ...auth },
          body: JSON.stringify({ resourceType: 'Patient', name: [{ family: patientName }], identifier: [{ system: 'https://moh.gov.rw/fhir/id/national-id', value: nationalId }] }),
        });
        assert.equal(created.status, 201);
        // The facility's record, and the person the client registry made of it.
        const found = (await (await fetch(`${huza.fhirBase}/Patient?name=${patientName}&identifier=${nationalId}`, { headers: auth })).json()) as { total: number; entry: { resource: { meta: { tag?: { code: string }[] } } }[] };
        assert.equal(found.total, 2);
        assert.deepEqual(found.entry.map((e) => e.resource.meta.tag?.[0]?.code ?? 'source').sort(), ['golden', 'source']);
        // The code systems Huza ships are loaded at start.
        const facilityTypes = (await (await fetch(`${huza.fhirBase}/CodeSystem?url=https://huza.rw/fhir/CodeSystem/facility-type`, { headers: auth })).json()) as { total: number };
        assert.equal(facilityTypes.total, 1);
        assert.equal((await fetch(`${huza.fhirBase}/Patient/does-not-exist`, { headers: auth })).status, 404);
      } finally {
        huza.child.kill('SIGTERM');
        assert.equal(await huza.exited, 0);
        await storage.cleanup();
      }
      const logLines = huza.output().split('\n').filter((l) => l.startsWith('{'));
      assert.ok(logLines.some((l) => JSON.parse(l).route === '/fhir/*'), 'request lines are logged');
      assert.ok(!huza.output().includes(patientName), 'no patient name in the logs');
      assert.ok(!huza.output().includes(nationalId), 'no national ID in the logs');
    });

    test('SIGTERM under load loses no acknowledged write', async () => {
      const storage = await processStorage(kind);
      const port = await freePort();
      const env = { ...storage.env, PORT: String(port), HUZA_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') };
      const emr = await createClient(env);
      const first = runHuza(['start'], env);
      const acknowledged: string[] = [];
      let auth: Record<string, string> = {};
      try {
        await first.ready;
        auth = { authorization: `Bearer ${await tokenFor(first.fhirBase.replace(/\/fhir$/, ''), emr)}` };
        let stop = false;
        const client = async () => {
          while (!stop) {
            try {
              const response = await fetch(`${first.fhirBase}/Observation`, {
                method: 'POST', headers: { 'content-type': 'application/fhir+json', ...auth },
                body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'weight' }, valueQuantity: { value: 60 + acknowledged.length, unit: 'kg' } }),
              });
              if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
              else await response.arrayBuffer();
            } catch {
              return; // connection refused or reset: the server is going away
            }
          }
        };
        const clients = Array.from({ length: 8 }, client);
        while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 20));
        first.child.kill('SIGTERM');
        assert.equal(await first.exited, 0, 'a clean exit');
        stop = true;
        await Promise.all(clients);
      } finally {
        if (first.child.exitCode === null) first.child.kill('SIGKILL');
      }
      const second = runHuza(['start'], env);
      try {
        await second.ready;
        auth = { authorization: `Bearer ${await tokenFor(second.fhirBase.replace(/\/fhir$/, ''), emr)}` };
        const missing: string[] = [];
        for (const id of acknowledged) {
          const response = await fetch(`${second.fhirBase}/Observation/${id}`, { headers: auth });
          if (response.status !== 200) missing.push(id);
          await response.arrayBuffer();
        }
        assert.deepEqual(missing, [], `all ${acknowledged.length} acknowledged creates survive the restart`);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
        await storage.cleanup();
      }
    });
  });
}
