/**
 * The browser tests' server: the real Huza (src/test-support/test-server.ts) over a fresh PGlite
 * database, holding the fixture's accounts (in the account store) and resources (in the FHIR store,
 * ids kept). Huza registers the `huza-web` client and serves web/dist/ at /app/ itself.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FhirResource as StoredResource } from '../../../src/fhir/repository/resource-types.ts';
import { webDistDir } from '../../../src/server/web-app-routes.ts';
import { testDatabaseKinds } from '../../../src/test-support/test-databases.ts';
import { startTestServer } from '../../../src/test-support/test-server.ts';
import { defaultDecisionRules } from '../../../src/registry/client/matching/index.ts';
import { loadShippedCodeSystems } from '../../../src/terminology/shipped-code-systems.ts';
import type { E2eFixture } from './fixture.ts';
import type { HuzaUnderTest, StartServer } from './harness.ts';

/**
 * PGlite: in-process, nothing to provision, and each test file gets its own database. (The server's
 * own test suite runs everything on PostgreSQL too; the browser tests are about the app.)
 */
const database = testDatabaseKinds.find((k) => k.name === 'pglite')!;

export const startRealHuza: StartServer = async (fixture: E2eFixture): Promise<HuzaUnderTest> => {
  await stat(join(webDistDir, 'index.html')).catch(() => {
    throw new Error('web/dist/index.html is missing: run `npm run web:build` before the browser tests');
  });
  const server = await startTestServer(database, { clientRegistry: true, workforceRegistry: true, productCatalogue: true });
  try {
    // The code systems Huza ships, as `huza start` loads them.
    await loadShippedCodeSystems(server.engine.repo);
    // Every plausible pair goes to the steward's review queue, whatever the default thresholds are.
    await server.clientRegistry!.saveRules(server.engine.repo, { ...defaultDecisionRules, autoLinkAbove: 1000, reviewAbove: 5, possibleAbove: 0 }, 'e2e fixture');
    // In-process, as an administrator loading data would: AuditEvents are append-only through the
    // API, and update-as-create keeps the fixture's ids. Validation still runs.
    for (const resource of fixture.resources) {
      await server.engine.repo.update(structuredClone(resource) as StoredResource);
    }
    for (const account of Object.values(fixture.accounts)) {
      await server.security.accounts.create({
        username: account.username,
        password: account.password,
        displayName: account.name,
        roles: account.roles,
        fhirUser: account.fhirUser,
        facilities: account.facilities,
      });
    }
  } catch (error) {
    await server.close();
    throw error;
  }
  return { origin: server.origin, close: () => server.close() };
};
