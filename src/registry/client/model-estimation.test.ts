import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loginWithCode } from '../../test-support/oauth-flow.ts';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import { ClientRegistry } from './client-registry.ts';
import { comparePair, defaultModel, levelWeight, personFromPatient, type MatchModel } from './matching/index.ts';
import { generateSyntheticPeople } from './matching/synthetic-people.ts';
import { estimationLimits, modelProblems } from './model-estimation.ts';
import { patientFromPerson } from './synthetic-patients.ts';

type Json = any;

/**
 * The synthetic people of one district (the generator puts a small population in one district),
 * as its health centres would send them; ids prefixed so that several districts load side by side.
 */
function district(n: number, people: number) {
  return generateSyntheticPeople({ people, seed: 30 + n }).records.map((r, i) => patientFromPerson({ ...r, id: `d${n}-${r.id}` }, `hc-d${n}-${i % 4}`));
}

const part = (p: Json, name: string) => p?.part?.find((x: Json) => x.name === name);
const value = (p: Json) => p && (p.valueInteger ?? p.valueDecimal ?? p.valueBoolean ?? p.valueString ?? p.valueCode ?? p.valueDateTime);
const get = (body: Json, name: string) => value(body.parameter?.find((p: Json) => p.name === name));
const all = (body: Json, name: string) => (body.parameter ?? []).filter((p: Json) => p.name === name);
const partValue = (p: Json, name: string) => value(part(p, name));

test('guard rails: agreement must weigh for a match and disagreement against, EM must not collapse', () => {
  assert.deepEqual(modelProblems(defaultModel), []);
  const broken: MatchModel = structuredClone(defaultModel);
  broken.fields.given.exact = { m: 0.01, u: 0.2 };
  broken.fields.address.disagree = { m: 0.5, u: 0.01 };
  delete (broken.fields.phone as Record<string, unknown>).typo;
  const problems = modelProblems(broken, { iterations: 3, converged: true, matchProportion: 0.99, logLikelihood: [] });
  assert.ok(problems.some((p) => /^given\.exact weighs -4\.32: agreement on given must count towards a match/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^address\.disagree weighs 5\.64: disagreement on address must count against/.test(p)));
  assert.ok(problems.some((p) => /phone\.typo: missing/.test(p)));
  assert.ok(problems.some((p) => /99\.0 % of the candidate pairs in the match class/.test(p)));
});

for (const kind of testDatabaseKinds) {
  describe(`re-estimating the match model on ${kind.name}`, () => {
    let s: TestServer;
    const estimate = (parameter: Json[], token?: string) =>
      s.fhir('Patient/$cr-estimate-model', { method: 'POST', body: { resourceType: 'Parameters', parameter }, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
    const op = (name: string, parameter: Json[]) => s.fhir(`Patient/$${name}`, { method: 'POST', body: { resourceType: 'Parameters', parameter } });
    const fast = [{ name: 'randomPairs', valueInteger: 20_000 }];
    const load = async (patients: Json[]) => {
      const report = await s.clientRegistry!.loadBulk(s.engine.repo, patients);
      assert.ok(report.created + report.unchanged > 0.9 * patients.length, JSON.stringify(report.refused.slice(0, 3)));
    };
    const personToken = async (username: string, role: 'registry-steward' | 'clinician') => {
      const password = 'a long enough password 42';
      await s.security.accounts.create({ username, password, displayName: username, roles: [role], facilities: [] });
      const login = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid user/*.cruds', username, password });
      assert.ok(login.token?.access_token, JSON.stringify(login.token ?? login.loginStatus));
      return login.token.access_token as string;
    };

    before(async () => {
      s = await startTestServer(kind, { clientRegistry: true });
    });
    after(() => s.close());

    test('too few records: refused, saying how many are needed; stewards only', async () => {
      await load(district(1, 330).slice(0, 40));
      const steward = await estimate(fast, await personToken('model.steward', 'registry-steward'));
      assert.equal(steward.status, 422, JSON.stringify(steward.body));
      assert.equal(steward.body.resourceType, 'OperationOutcome');
      assert.match(steward.body.issue[0].diagnostics, new RegExp(`holds \\d+ source records; estimating the match model needs at least ${estimationLimits.minRecords}`));

      const clinician = await estimate(fast, await personToken('model.clinician', 'clinician'));
      assert.equal(clinician.status, 403, JSON.stringify(clinician.body));
      assert.match(clinician.body.issue[0].diagnostics, /registry stewards/);
      const readOnly = await s.systemTokenFor('system/Patient.rs');
      assert.equal((await estimate(fast, readOnly)).status, 403);
      assert.equal((await s.fhir('Patient/$cr-model', { headers: { authorization: `Bearer ${readOnly}` } })).status, 403);
    });

    test('bad parameters: refused, naming the parameter and what it takes', async () => {
      const bad = async (parameter: Json[], name: string, mention: RegExp) => {
        const res = await estimate(parameter);
        assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.issue[0].diagnostics, new RegExp(`Parameter '${name}'`));
        assert.match(res.body.issue[0].diagnostics, mention);
      };
      await bad([{ name: 'sampleSize', valueInteger: 10 }], 'sampleSize', /from 500 to 200000, got 10/);
      await bad([{ name: 'maxIterations', valueInteger: 0 }], 'maxIterations', /from 1 to 10000/);
      await bad([{ name: 'maxPairs', valueString: 'many' }], 'maxPairs', /not a valid integer/);
      await bad([{ name: 'start', valueCode: 'guess' }], 'start', /naive .* or current/);
      await bad([{ name: 'adopt', valueString: 'yes' }], 'adopt', /not a valid boolean/);
      await bad([{ name: 'threshold', valueInteger: 3 }], 'threshold', /is not a parameter of \$cr-estimate-model/);
      assert.equal((await s.fhir('Patient/$cr-estimate-model')).status, 405, 'estimating is a POST');
      const model = await s.fhir('Patient/$cr-model?version=7');
      assert.equal(model.status, 400);
      assert.match(model.body.issue[0].diagnostics, /no model version 7/);
      assert.equal((await s.fhir('Patient/$cr-model?restore=0')).status, 405, 'restoring is a POST');
    });

    describe('a registry of one district: the guard rails stop a model it cannot learn', () => {
      before(() => load(district(1, 330)));

      test('preview reports the violation; adopting is refused unless forced', async () => {
        const preview = await estimate(fast);
        assert.equal(preview.status, 200, JSON.stringify(preview.body));
        // Everyone lives in one district: random pairs never disagree on the address, so its u is a guess.
        const problems = all(preview.body, 'problem').map(value);
        assert.ok(problems.some((p: string) => /^address\.disagree weighs [\d.]+: disagreement on address must count against a match/.test(p)), problems.join('\n'));
        assert.equal(get(preview.body, 'adoptable'), false);
        const adopt = await estimate([...fast, { name: 'adopt', valueBoolean: true }]);
        assert.equal(adopt.status, 422, JSON.stringify(adopt.body));
        const messages = adopt.body.issue.map((i: Json) => i.diagnostics);
        assert.ok(messages.some((m: string) => /guard rail: address\.disagree/.test(m)), messages.join('\n'));
        assert.ok(messages.some((m: string) => /force=true/.test(m)));
        assert.equal(get((await s.fhir('Patient/$cr-model')).body, 'current'), 0, 'nothing adopted');
      });
    });

    describe('a registry of three districts', () => {
      before(async () => {
        await load(district(2, 180));
        await load(district(3, 180));
      });

      test('EM that does not converge is refused unless forced', async () => {
        const refused = await estimate([...fast, { name: 'maxIterations', valueInteger: 1 }]);
        assert.equal(refused.status, 422, JSON.stringify(refused.body));
        assert.match(refused.body.issue[0].diagnostics, /EM did not converge within 1 iterations/);
        const forced = await estimate([...fast, { name: 'maxIterations', valueInteger: 1 }, { name: 'force', valueBoolean: true }]);
        assert.equal(forced.status, 200, JSON.stringify(forced.body));
        assert.equal(partValue(forced.body.parameter.find((p: Json) => p.name === 'em'), 'converged'), false);
        assert.equal(get(forced.body, 'adoptable'), false);
        assert.equal(get(forced.body, 'adopted'), false);
      });

      test('preview: the proposed model beside the one in force, the EM trace, pair counts, the decisions it would change', async () => {
        const res = await estimate(fast);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const body = res.body;
        assert.equal(get(body, 'adopted'), false);
        assert.equal(get(body, 'adoptable'), true, all(body, 'problem').map(value).join('\n'));
        assert.equal(get(body, 'version'), 0);
        assert.equal(get(body, 'currentModelVersion'), defaultModel.version);

        const sample = body.parameter.find((p: Json) => p.name === 'sample');
        const registryRecords = partValue(sample, 'registryRecords');
        assert.ok(registryRecords > 1000, String(registryRecords));
        assert.equal(partValue(sample, 'sampled'), registryRecords, 'the default sample (5,000) takes every record of a small registry');
        const pairs = partValue(sample, 'pairs');
        assert.ok(pairs >= estimationLimits.minPairs, String(pairs));
        assert.ok(partValue(sample, 'anchoredMatches') > 0 && partValue(sample, 'anchoredNonMatches') > 0);

        const em = body.parameter.find((p: Json) => p.name === 'em');
        assert.equal(partValue(em, 'converged'), true);
        assert.ok(partValue(em, 'iterations') > 1);
        const share = partValue(em, 'matchProportion');
        assert.ok(share > 0.05 && share < 0.9, String(share));
        const trace: number[] = JSON.parse(partValue(em, 'logLikelihoodTrace'));
        assert.equal(trace.at(-1), partValue(em, 'logLikelihood'));

        // Every field and level, proposed beside current; the current values are the model in force.
        const fields = all(body, 'field');
        assert.deepEqual(fields.map((f: Json) => partValue(f, 'name')), ['nationalId', 'given', 'family', 'birthDate', 'sex', 'phone', 'address']);
        const weight = (field: string, level: string, which = 'weight') =>
          partValue(fields.find((f: Json) => partValue(f, 'name') === field).part.find((l: Json) => l.name === 'level' && partValue(l, 'code') === level), which);
        for (const [field, levels] of Object.entries(defaultModel.fields)) {
          for (const level of Object.keys(levels)) {
            assert.ok(Math.abs(weight(field, level, 'currentWeight') - levelWeight(defaultModel, field, level)) < 0.001, `${field}.${level}`);
          }
        }
        // What EM learnt from these records: names, birth dates and IDs separate people strongly.
        for (const [field, level] of [['nationalId', 'exact'], ['given', 'exact'], ['family', 'exact'], ['birthDate', 'exact'], ['phone', 'exact']]) {
          assert.ok(weight(field, level) > 4, `${field}.${level} ${weight(field, level)}`);
          assert.ok(weight(field, 'disagree') < -1, `${field}.disagree ${weight(field, 'disagree')}`);
        }
        const model: MatchModel = JSON.parse(get(body, 'model'));
        assert.equal(model.estimatedFrom?.converged, true);
        assert.ok(Math.abs(weight('given', 'exact') - levelWeight(model, 'given', 'exact')) < 0.001);

        const decisions = body.parameter.find((p: Json) => p.name === 'decisions');
        const total = (which: string) => ['link', 'review', 'new'].reduce((n, d) => n + partValue(part(decisions, which), d), 0);
        assert.equal(total('current'), pairs);
        assert.equal(total('proposed'), pairs);
        assert.ok(part(decisions, 'current').part.find((x: Json) => x.name === 'link').valueInteger > 0, 'duplicates are linked today');
        const changes = decisions.part.filter((x: Json) => x.name === 'change');
        assert.equal(changes.reduce((n: number, c: Json) => n + partValue(c, 'count'), 0), partValue(decisions, 'changed'));
        assert.ok(changes.every((c: Json) => partValue(c, 'from') !== partValue(c, 'to')));

        // A preview stores nothing.
        const history = await s.fhir('Patient/$cr-model');
        assert.equal(get(history.body, 'current'), 0);
        assert.deepEqual(all(history.body, 'history').map((h: Json) => partValue(h, 'kind')), ['built-in']);
      });

      test('adopt stores a new version (who, when, why); the next $match and $cr-rematch score with it', async () => {
        // $match before: the query's candidates scored with the built-in model.
        const full = (p: Json) => p?.resourceType === 'Patient' && p.name?.[0]?.given?.length && p.name[0].family && p.address?.[0]?.district;
        let someone: Json;
        for (const p of district(2, 180)) {
          someone = (await s.fhir(`Patient/${p.id}`)).body;
          if (full(someone)) break;
        }
        assert.ok(full(someone), JSON.stringify(someone));
        const query = { resourceType: 'Patient', name: [{ family: someone.name[0].family, given: someone.name[0].given }], address: [{ district: someone.address[0].district, country: 'RW' }] };
        const match = () => op('match', [{ name: 'resource', resource: query }]);
        const sigmoid = (score: number) => Math.round(1000 / (1 + Math.exp(-4 * (score - 16) / 1))) / 1000;
        const scoresBySource = async (entry: Json, model: MatchModel) => {
          const sources = await Promise.all(entry.resource.link.map((l: Json) => s.fhir(l.other.reference).then((r) => r.body)));
          return sources.map((p: Json) => sigmoid(comparePair({ ...personFromPatient(query), id: '' }, personFromPatient(p), model).score));
        };
        const before = await match();
        assert.equal(before.status, 200, JSON.stringify(before.body));
        assert.ok(before.body.entry.length > 0);
        for (const e of before.body.entry) assert.ok((await scoresBySource(e, defaultModel)).includes(e.search.score), 'scored with the built-in model');

        const adopted = await estimate([...fast, { name: 'adopt', valueBoolean: true }, { name: 'reason', valueString: 'first estimate from our records' }]);
        assert.equal(adopted.status, 200, JSON.stringify(adopted.body));
        assert.equal(get(adopted.body, 'adopted'), true);
        assert.equal(get(adopted.body, 'version'), 1);
        const model: MatchModel = JSON.parse(get(adopted.body, 'model'));

        const history = await s.fhir('Patient/$cr-model');
        assert.equal(history.status, 200, JSON.stringify(history.body));
        assert.equal(get(history.body, 'current'), 1);
        assert.deepEqual(JSON.parse(get(history.body, 'model')), model);
        const [latest, builtIn] = all(history.body, 'history');
        assert.equal(partValue(latest, 'version'), 1);
        assert.equal(partValue(latest, 'kind'), 'estimated');
        assert.match(partValue(latest, 'by'), /^system:/);
        assert.ok(Date.now() - Date.parse(partValue(latest, 'at')) < 120_000);
        assert.equal(partValue(latest, 'reason'), 'first estimate from our records');
        assert.ok(partValue(latest, 'pairs') > 0 && partValue(latest, 'records') > 0);
        assert.equal(partValue(builtIn, 'version'), 0);
        const stored = await s.db.query<{ created_by: string; basis: Json }>('SELECT created_by, basis FROM cr_model WHERE version = 1');
        const basis = typeof stored.rows[0].basis === 'string' ? JSON.parse(stored.rows[0].basis) : stored.rows[0].basis;
        assert.equal(basis.forced, false);
        assert.equal(basis.em.converged, true);
        assert.equal(basis.replaced, 0);

        // $match now scores with the adopted model, without a restart.
        const after = await match();
        assert.equal(after.status, 200, JSON.stringify(after.body));
        let differs = false;
        for (const e of after.body.entry) {
          assert.ok((await scoresBySource(e, model)).includes(e.search.score), `scored with the adopted model: ${e.search.score}`);
          if (!(await scoresBySource(e, defaultModel)).includes(e.search.score)) differs = true;
        }
        assert.ok(differs, 'the adopted model gives other scores than the built-in one');

        // $cr-rematch re-decides with it too: with rules that send every candidate to review, the
        // reviews it opens carry the adopted model's weights.
        const open = async () => (await s.fhir('Patient/$cr-reviews?_count=200')).body.parameter ?? [];
        const key = (r: Json) => `${part(r, 'source').valueReference.reference}>${part(r, 'candidate').valueReference.reference}`;
        const earlier = new Set((await open()).map(key));
        const rules = JSON.parse(get((await s.fhir('Patient/$cr-rules')).body, 'rules'));
        assert.equal((await op('cr-rules', [{ name: 'rules', valueString: JSON.stringify({ ...rules, version: rules.version + 1, reviewAbove: -100, possibleAbove: -100 }) }])).status, 200);
        const rematch = await op('cr-rematch', []);
        assert.equal(rematch.status, 200, JSON.stringify(rematch.body));
        const reopened = (await open()).filter((r: Json) => !earlier.has(key(r)));
        assert.ok(reopened.length > 0);
        for (const r of reopened) {
          const fields: { field: string; level: string; weight: number }[] = JSON.parse(partValue(r, 'fields'));
          const phone = fields.find((f) => f.field === 'phone')?.level;
          for (const f of fields) {
            const expected = f.field === 'address' && phone === 'exact' && levelWeight(model, f.field, f.level) > 0 ? 0 : levelWeight(model, f.field, f.level === 'missing' ? undefined : f.level);
            assert.ok(Math.abs(f.weight - expected) < 1e-9, `${f.field}.${f.level}: ${f.weight} vs ${expected}`);
          }
        }
        await op('cr-rules', [{ name: 'rules', valueString: JSON.stringify({ ...rules, version: rules.version + 2 }) }]);
      });

      test('an earlier version can be put back in force', async () => {
        const restored = await op('cr-model', [{ name: 'restore', valueInteger: 0 }, { name: 'reason', valueString: 'back to the built-in weights' }]);
        assert.equal(restored.status, 200, JSON.stringify(restored.body));
        assert.equal(get(restored.body, 'current'), 2);
        assert.deepEqual(JSON.parse(get(restored.body, 'model')), defaultModel);
        const history = all(restored.body, 'history');
        assert.deepEqual(history.map((h: Json) => partValue(h, 'kind')), ['restored', 'estimated', 'built-in']);
        assert.equal(partValue(history[0], 'restoredFrom'), 0);
        const v1 = await s.fhir('Patient/$cr-model?version=1');
        assert.equal(get(v1.body, 'version'), 1);
        assert.equal(JSON.parse(get(v1.body, 'model')).estimatedFrom.converged, true);
      });

      test('another app node sees a model adopted here within settingsRecheckMs', async () => {
        const otherNode = new ClientRegistry();
        const before = await otherNode.settings(s.engine.repo);
        assert.equal((await op('cr-model', [{ name: 'restore', valueInteger: 1 }])).status, 200);
        assert.equal((await otherNode.settings(s.engine.repo)).modelVersion, before.modelVersion, 'cached for a while');
        const saved = ClientRegistry.settingsRecheckMs;
        ClientRegistry.settingsRecheckMs = -1;
        try {
          const now = await otherNode.settings(s.engine.repo);
          assert.equal(now.modelVersion, before.modelVersion + 1);
          assert.equal(now.model.estimatedFrom?.converged, true, 'version 1, the estimated model, is back');
        } finally {
          ClientRegistry.settingsRecheckMs = saved;
        }
      });
    });
  });
}
