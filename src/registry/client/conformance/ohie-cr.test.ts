import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testDatabaseKinds } from '../../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../../test-support/test-server.ts';
import { identityDomain } from '../identifier-authorities.ts';

type Json = any;

/** The OpenHIE client-registry test messages (SanteMPI, Apache-2.0), as shipped beside this test. */
const message = (name: string): Json => JSON.parse(readFileSync(new URL(`./ohie-cr/${name}.json`, import.meta.url), 'utf8').replace(/^\uFEFF/, ''));

const notGolden = ['_tag:not', 'https://huza.rw/fhir/CodeSystem/client-registry|golden'] as const;

for (const kind of testDatabaseKinds) {
  describe(`OpenHIE client-registry conformance (PMIR ITI-93) on ${kind.name}`, () => {
    let s: TestServer;
    const process = (name: string) => s.fhir('$process-message', { method: 'POST', body: message(name) });
    const sources = async (query: string): Promise<Json[]> => {
      const res = await s.fhir(`Patient?${query}&${notGolden.join('=')}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body.entry ?? []).map((e: Json) => e.resource);
    };
    before(async () => {
      s = await startTestServer(kind, { clientRegistry: true });
      // The identity domains the test plan sets up before the run: test_a is assigned by harness A (and the
      // general harness that plays every source in 08), test_b by harness B.
      for (const [system, name, assigners] of [
        ['http://ohie.org/test/test', 'OHIE test', undefined],
        ['http://ohie.org/test/test_a', 'OHIE test A', ['http://ohie.org/test/test_harness_a', 'http://ohie.org/test/harness']],
        ['http://ohie.org/test/test_b', 'OHIE test B', ['http://ohie.org/test/test_harness_b', 'http://ohie.org/test/harness']],
        ['urn:oid:1.3.6.1.4.1.52820.3.72.5.9.1', 'OHIE OID domain', undefined],
        ['http://ohie.org/test/nid-fhir', 'OHIE national ID', undefined],
        ['http://ohie.org/test/nid', 'OHIE national ID (related persons)', undefined],
        ['http://ohie.org/test/orgs', 'OHIE organizations', undefined],
        ['http://ohie.org/test/practs', 'OHIE practitioners', undefined],
      ] as const) {
        const res = await s.fhir('NamingSystem', { method: 'POST', body: identityDomain(system, name, { assigners: assigners ? [...assigners] : undefined }) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
    });
    after(() => s.close());

    test('01-10: a malformed feed is refused and nothing is stored', async () => {
      const res = await process('OHIE-CR-01-10');
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal((await sources('family=JOHNSTON')).length, 0);
    });

    test('02-10, 02-30: authorities named by OID and by URL; each identifier finds exactly one patient', async () => {
      for (const name of ['OHIE-CR-02-10', 'OHIE-CR-02-30']) {
        const res = await process(name);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.type, 'message');
        assert.equal(res.body.entry[0].resource.response.code, 'ok');
      }
      const oid = await sources('identifier=urn:oid:1.3.6.1.4.1.52820.3.72.5.9.1|FHR-403');
      assert.deepEqual(oid.map((p) => p.name[0].family), ['OID']);
      const url = await sources('identifier=http://ohie.org/test/test|FHR-404');
      assert.deepEqual(url.map((p) => p.name[0].family), ['URL']);
    });

    test('03-10, 03-20: identifiers of unknown authorities are refused, naming the authority', async () => {
      for (const [name, authority] of [['OHIE-CR-03-10', 'http://ohie.org/test/test_block'], ['OHIE-CR-03-20', 'urn:oid:1.3.6.1.4.1.52820.3.72.5.9.4']]) {
        const res = await process(name);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.ok(JSON.stringify(res.body).includes(authority), JSON.stringify(res.body));
        assert.match(res.body.issue[0].expression[0], /^Bundle\.entry\[0\]\.resource\.identifier\[0\]\.system$/);
      }
      assert.equal((await sources('family=NOBODY')).length, 0);
    });

    test('04-10, 04-20, 04-30: a source assigns identifiers only in its own domain', async () => {
      assert.equal((await process('OHIE-CR-04-10')).status, 200);
      const foreign = await process('OHIE-CR-04-20');
      assert.equal(foreign.status, 403, JSON.stringify(foreign.body));
      assert.match(JSON.stringify(foreign.body), /test_harness_b.*test_a|test_a.*test_harness_b/);
      assert.equal((await sources('identifier=http://ohie.org/test/test_a|FHRA-4938')).length, 0);
      // Quoting an identifier A already assigned is allowed: B's record joins the same person.
      assert.equal((await process('OHIE-CR-04-30')).status, 200);
      const pix = await s.fhir('Patient/$ihe-pix?sourceIdentifier=http://ohie.org/test/test_a|FHRA-0392');
      assert.equal(pix.status, 200, JSON.stringify(pix.body));
      const ids = pix.body.parameter.filter((p: Json) => p.name === 'targetIdentifier').map((p: Json) => `${p.valueIdentifier.system}|${p.valueIdentifier.value}`);
      assert.ok(ids.includes('http://ohie.org/test/test_b|FHRB-4736'), ids.join());
      const holders = await sources('identifier=http://ohie.org/test/test_b|FHRB-4736');
      assert.equal(holders.length, 1);
      assert.deepEqual(holders[0].identifier.map((i: Json) => `${i.system}|${i.value}`).sort(), ['http://ohie.org/test/test_a|FHRA-0392', 'http://ohie.org/test/test_b|FHRB-4736']);
    });

    test('05-10, 05-20: mother and baby; the mother is a RelatedPerson of the baby and a patient herself', async () => {
      assert.equal((await process('OHIE-CR-05-10')).status, 200);
      assert.equal((await process('OHIE-CR-05-20')).status, 200);
      const res = await s.fhir(`Patient?identifier=http://ohie.org/test/test|FHR-4837&_revinclude=RelatedPerson:patient&${notGolden.join('=')}`);
      const types = res.body.entry.map((e: Json) => e.resource.resourceType).sort();
      assert.deepEqual(types, ['Patient', 'RelatedPerson']);
      const mother = await sources('identifier=http://ohie.org/test/test|FHR-0844');
      assert.equal(mother.length, 1);
      assert.deepEqual(mother[0].name, [{ use: 'maiden', family: 'Abels', given: ['Sarah'] }]);
      const first = await s.fhir(`Patient?identifier=http://ohie.org/test/test|FHR-4956&_revinclude=RelatedPerson:patient&${notGolden.join('=')}`);
      const rp = first.body.entry.find((e: Json) => e.resource.resourceType === 'RelatedPerson').resource;
      assert.deepEqual(rp.name[0].given, ['SU MYAT LWIN']);
    });

    test('07-10: a patient with spouse, managing organization and general practitioner', async () => {
      const res0 = await process('OHIE-CR-07-10');
      assert.equal(res0.status, 200, JSON.stringify(res0.body));
      // The message writes generalPractitioner and RelatedPerson.name as single objects: read as lists, with a warning.
      const details = res0.body.entry.find((e: Json) => e.resource.resourceType === 'OperationOutcome').resource;
      assert.deepEqual(details.issue.map((i: Json) => i.expression[0].replace(/^.*\.resource\./, '')).sort(), ['generalPractitioner', 'name']);
      const res = await s.fhir(`Patient?identifier=http://ohie.org/test/test|FHR-070&_include=Patient:organization&_include=Patient:general-practitioner&_revinclude=RelatedPerson:patient&${notGolden.join('=')}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.entry.map((e: Json) => e.resource.resourceType).sort(), ['Organization', 'Patient', 'Practitioner', 'RelatedPerson']);
    });

    test('08-10, 08-20, 08-30: update then merge; both identifiers resolve to the survivor', async () => {
      for (const name of ['OHIE-CR-08-10', 'OHIE-CR-08-20']) assert.equal((await process(name)).status, 200);
      assert.equal((await sources('identifier=http://ohie.org/test/test_a|FHRA-080')).length, 1);
      assert.equal((await sources('identifier=http://ohie.org/test/test_a|FHRA-081')).length, 1);
      const merge = await process('OHIE-CR-08-30');
      assert.equal(merge.status, 200, JSON.stringify(merge.body));
      const [survivor] = await sources('identifier=http://ohie.org/test/test_a|FHRA-080');
      assert.equal(survivor.id, 'ohie-cr-08-10-fhir');
      assert.deepEqual(survivor.identifier.map((i: Json) => i.value).sort(), ['FHRA-080', 'FHRA-081', 'NID080']);
      const obsolete = (await s.fhir('Patient/ohie-cr-08-20-fhir')).body;
      assert.equal(obsolete.active, false);
      assert.equal(obsolete.link.length, 1);
      assert.equal(obsolete.link[0].type, 'replaced-by');
      assert.equal(obsolete.link[0].other.reference, 'Patient/ohie-cr-08-10-fhir');
      // The retired identifier finds no other active record than the survivor…
      const active = await sources('identifier=http://ohie.org/test/test_a|FHRA-081&active=true');
      assert.deepEqual(active.map((p) => p.id), ['ohie-cr-08-10-fhir']);
      // …and PIXm puts both records under one person.
      for (const value of ['FHRA-080', 'FHRA-081']) {
        const pix = await s.fhir(`Patient/$ihe-pix?sourceIdentifier=http://ohie.org/test/test_a|${value}`);
        const targets = pix.body.parameter.filter((p: Json) => p.name === 'targetId').map((p: Json) => p.valueReference.reference);
        assert.ok(targets.includes('Patient/ohie-cr-08-10-fhir') && targets.includes('Patient/ohie-cr-08-20-fhir'), targets.join());
      }
    });
  });
}
