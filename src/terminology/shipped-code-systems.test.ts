import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEMS } from '../seed/fhir.ts';
import { EPI_SCHEDULE, FACILITY_LEVELS, VACCINES } from '../seed/terminology.ts';
import { testDatabaseKinds } from '../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../test-support/test-server.ts';
import { CodeSystemIndex } from './code-system-index.ts';
import { loadShippedCodeSystems } from './shipped-code-systems.ts';
import { shippedResources } from './terminology-source.ts';
import type { CodeSystemResource, ConceptMapResource, ValueSetResource } from './terminology-types.ts';

type Json = any;

const shipped = shippedResources();
const codeSystem = (url: string) => new CodeSystemIndex(shipped.find((r) => r.resourceType === 'CodeSystem' && r.url === url) as CodeSystemResource);

describe('shipped code systems', () => {
  test('the CVX subset holds every vaccine the demo data gives, with the same display', () => {
    const cvx = codeSystem(SYSTEMS.cvx);
    for (const v of Object.values(VACCINES)) assert.equal(cvx.get(v.cvx)?.display, v.display, `CVX ${v.cvx}`);
    const epi = shipped.find((r) => r.url === 'https://huza.rw/fhir/ValueSet/rwanda-epi-vaccine') as ValueSetResource;
    const epiCodes = epi.compose?.include[0].concept?.map((c) => c.code) ?? [];
    for (const dose of EPI_SCHEDULE) assert.ok(epiCodes.includes(VACCINES[dose.vaccine].cvx), dose.vaccine);
    for (const code of epiCodes) assert.ok(cvx.get(code), `EPI code ${code} is in the CVX subset`);
  });

  test('the facility types hold the demo data facility levels, and the ConceptMap relates them', () => {
    const types = codeSystem('https://huza.rw/fhir/CodeSystem/facility-type');
    for (const level of Object.values(FACILITY_LEVELS)) assert.equal(types.get(level.code)?.display, level.display, level.code);
    const map = shipped.find((r) => r.resourceType === 'ConceptMap') as ConceptMapResource;
    assert.equal(map.group?.[0].source, SYSTEMS.facilityLevel);
    assert.deepEqual(map.group?.[0].element.map((e) => e.code).sort(), Object.values(FACILITY_LEVELS).map((l) => l.code).sort());
  });

  test('every shipped resource is unique by url and version, and its count is right', () => {
    const keys = shipped.map((r) => `${r.resourceType} ${r.url}|${r.version ?? ''}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const r of shipped.filter((x): x is CodeSystemResource => x.resourceType === 'CodeSystem')) {
      assert.equal(new CodeSystemIndex(r).concepts.length, r.count, r.url);
    }
  });
});

for (const kind of testDatabaseKinds) {
  describe(`loadShippedCodeSystems on ${kind.name}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(kind);
    });
    after(async () => {
      await s.close();
    });

    test('loads each once (validated), keeps a steward edit, and the stored copy is what operations use', async () => {
      const first = await loadShippedCodeSystems(s.engine.repo);
      assert.equal(first.loaded.length, shipped.length);
      assert.equal(first.present.length, 0);
      const second = await loadShippedCodeSystems(s.engine.repo);
      assert.equal(second.loaded.length, 0);
      assert.equal(second.present.length, shipped.length);

      const found = await s.fhir('CodeSystem?url=https://huza.rw/fhir/CodeSystem/health-worker-cadre');
      assert.equal(found.body.total ?? found.body.entry?.length, 1, JSON.stringify(found.body));
      const cadre: Json = found.body.entry[0].resource;
      cadre.concept.push({ code: 'nutritionist', display: 'Nutritionist' });
      const edited = await s.fhir(`CodeSystem/${cadre.id}`, { method: 'PUT', body: cadre });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      const third = await loadShippedCodeSystems(s.engine.repo);
      assert.equal(third.loaded.length, 0);
      const lookup = await s.fhir('CodeSystem/$lookup?system=https://huza.rw/fhir/CodeSystem/health-worker-cadre&code=nutritionist');
      assert.equal(lookup.status, 200, JSON.stringify(lookup.body));
    });
  });
}
