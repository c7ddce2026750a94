import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import type { Role } from './accounts/roles.ts';
import { verifyAuditChain } from './audit/verify-audit-chain.ts';
import { clientCredentialsToken, loginWithCode } from '../test-support/oauth-flow.ts';
import { testDatabaseKinds } from '../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../test-support/test-server.ts';

const password = 'correct horse battery';
type Json = Record<string, any>;

for (const kind of testDatabaseKinds) {
  describe(`security on ${kind.name}`, () => {
    let s: TestServer;
    let facilityA: string;
    let facilityB: string;
    let patientA: string;
    let patientB: string;
    let practitioner: string;
    const bearer = (token: string, extra: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${token}`, ...extra } });

    const account = async (username: string, roles: Role[], fhirUser?: string, facilities: string[] = []) =>
      s.security.accounts.create({ username, password, displayName: username, roles, fhirUser, facilities });
    const login = async (username: string, scope: string) => {
      const result = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope, username, password });
      assert.ok(result.token?.access_token, `login of ${username}: ${result.loginStatus} ${result.token?.error ?? ''} ${result.token?.error_description ?? ''}`);
      return result.token;
    };
    const audits = async (query: string) => {
      await s.security.audit.flush();
      return (await s.fhir(`AuditEvent?${query}`)).body as Json;
    };

    before(async () => {
      s = await startTestServer(kind);
      const org = async (name: string) => (await s.fhir('Organization', { method: 'POST', body: { resourceType: 'Organization', name } })).body.id as string;
      facilityA = await org('Kibagabaga Hospital');
      facilityB = await org('Ruhengeri Hospital');
      const pat = async (family: string, managedBy: string) => (await s.fhir('Patient', { method: 'POST', body: {
        resourceType: 'Patient', name: [{ family, given: ['Test'] }], managingOrganization: { reference: `Organization/${managedBy}` },
      } })).body.id as string;
      patientA = await pat('Uwase', facilityA);
      patientB = await pat('Habimana', facilityB);
      for (const p of [patientA, patientB]) {
        await s.fhir('Observation', { method: 'POST', body: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: `Patient/${p}` }, valueQuantity: { value: 60, unit: 'kg' } } });
      }
      practitioner = (await s.fhir('Practitioner', { method: 'POST', body: { resourceType: 'Practitioner', name: [{ family: 'Mugisha', given: ['Eric'] }] } })).body.id;
      await account('clinician.a', ['clinician'], `Practitioner/${practitioner}`, [facilityA]);
      await account('patient.a', ['patient'], `Patient/${patientA}`);
      await account('auditor', ['auditor']);
      await account('regulator', ['regulator']);
    });
    after(() => s.close());

    describe('tokens', () => {
      test('no token: 401 with a Bearer challenge and an OperationOutcome; the refusal is audited', async () => {
        const res = await s.fhir(`Patient/${patientA}`, { headers: { authorization: '' } });
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.equal(res.body.resourceType, 'OperationOutcome');
        const refused = await audits(`entity=Patient/${patientA}&outcome=4`);
        assert.ok(refused.total >= 1, 'the refused access is in the audit trail');
      });

      test('tampered, made-up and malformed tokens are 401; metadata and SMART discovery stay public', async () => {
        const tampered = s.systemToken.slice(0, -2) + (s.systemToken.endsWith('A') ? 'BB' : 'AA');
        for (const token of [tampered, 'made-up-token', "' OR 1=1 --"]) {
          const res = await s.fhir('Patient', { headers: { authorization: `Bearer ${token}` } });
          assert.equal(res.status, 401, token);
        }
        assert.equal((await s.fhir('Patient', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status, 401);
        assert.equal((await s.fhir('metadata', { headers: { authorization: '' } })).status, 200);
        const smart = await fetch(`${s.fhirBase}/.well-known/smart-configuration`);
        assert.equal(smart.status, 200);
        const config = await smart.json() as Json;
        assert.equal(config.token_endpoint, `${s.origin}/token`);
        assert.ok(config.capabilities.includes('launch-standalone'));
      });

      test('an expired token is 401', async () => {
        const token = await s.systemTokenFor('system/Patient.rs');
        await s.db.query(`UPDATE oauth_store SET expires_at = now() - interval '1 minute',
          payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::int - 60)) WHERE id = $1`, [token]);
        assert.equal((await s.fhir('Patient', bearer(token))).status, 401);
      });

      test('a revoked token is 401 at once; introspection says inactive', async () => {
        const client = await s.security.clients.createSystemClient({ name: 'Revoked EMR', scope: 'system/Patient.rs' });
        const { body } = await clientCredentialsToken(s.origin, client.client_id, client.client_secret!, 'system/Patient.rs');
        assert.equal((await s.fhir('Patient', bearer(body.access_token))).status, 200);
        const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
        const revoke = await fetch(`${s.origin}/token/revocation`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: body.access_token }) });
        assert.equal(revoke.status, 200);
        assert.equal((await s.fhir('Patient', bearer(body.access_token))).status, 401);
        const introspect = await fetch(`${s.origin}/token/introspection`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: body.access_token }) });
        assert.equal(((await introspect.json()) as Json).active, false);
      });

      test('a token for another audience is refused at the token endpoint', async () => {
        const client = await s.security.clients.createSystemClient({ name: 'Lab', scope: 'system/Observation.rs' });
        const res = await clientCredentialsToken(s.origin, client.client_id, client.client_secret!, 'system/Observation.rs', { resource: 'https://evil.example/fhir' });
        assert.equal(res.status, 400);
        assert.equal(res.body.error, 'invalid_target');
      });

      test('scope escalation is refused by name; granted scopes are enforced per interaction', async () => {
        const client = await s.security.clients.createSystemClient({ name: 'Reader', scope: 'system/Patient.rs', facility: facilityA });
        const escalate = await clientCredentialsToken(s.origin, client.client_id, client.client_secret!, 'system/Patient.cruds');
        assert.equal(escalate.status, 400);
        assert.equal(escalate.body.error, 'invalid_scope');
        assert.match(escalate.body.error_description ?? '', /system\/Patient\.cruds/);
        const wrongSecret = await clientCredentialsToken(s.origin, client.client_id, 'not-the-secret', 'system/Patient.rs');
        assert.equal(wrongSecret.status, 401);
        const { body } = await clientCredentialsToken(s.origin, client.client_id, client.client_secret!, 'system/Patient.rs');
        assert.equal((await s.fhir(`Patient/${patientA}`, bearer(body.access_token))).status, 200);
        const create = await s.fhir('Patient', { method: 'POST', body: { resourceType: 'Patient' }, ...bearer(body.access_token) });
        assert.equal(create.status, 403);
        assert.equal((await s.fhir('Observation', bearer(body.access_token))).status, 403);
      });

      test('a facility system sees its own patients, not another facility\'s', async () => {
        const token = await s.systemTokenFor('system/*.rs', facilityA);
        assert.equal((await s.fhir(`Patient/${patientA}`, bearer(token))).status, 200);
        assert.equal((await s.fhir(`Patient/${patientB}`, bearer(token))).status, 403);
        const search = await s.fhir('Observation', bearer(token));
        const subjects = search.body.entry.map((e: Json) => e.resource.subject.reference);
        assert.deepEqual(subjects, [`Patient/${patientA}`]);
      });
    });

    describe('people', () => {
      test('a patient logs in with PKCE, gets their patient context and sees only their own record', async () => {
        const token = await login('patient.a', 'openid fhirUser launch/patient patient/*.rs');
        assert.equal(token.patient, patientA);
        assert.equal((await s.fhir(`Patient/${patientA}`, bearer(token.access_token))).status, 200);
        assert.equal((await s.fhir(`Patient/${patientB}`, bearer(token.access_token))).status, 403);
        const observations = await s.fhir('Observation', bearer(token.access_token));
        assert.deepEqual(observations.body.entry.map((e: Json) => e.resource.subject.reference), [`Patient/${patientA}`]);
        const count = await s.fhir('Patient?_summary=count', bearer(token.access_token));
        assert.equal(count.body.total, 1, 'counts do not leak other patients');
        const write = await s.fhir('Observation', { method: 'POST', body: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patientA}` } }, ...bearer(token.access_token) });
        assert.equal(write.status, 403);
      });

      test('a clinician reads patients cared for at their facility; others only by breaking the glass, which is flagged in the audit', async () => {
        const token = await login('clinician.a', 'openid fhirUser user/*.cruds');
        assert.equal((await s.fhir(`Patient/${patientA}`, bearer(token.access_token))).status, 200);
        const refused = await s.fhir(`Patient/${patientB}`, bearer(token.access_token));
        assert.equal(refused.status, 403);
        assert.match(refused.body.issue[0].diagnostics, /break/i);
        assert.equal((await s.fhir(`Patient/${patientB}`, bearer(token.access_token, { 'x-break-glass': 'short' }))).status, 403, 'a reason must say something');
        const glass = await s.fhir(`Patient/${patientB}`, bearer(token.access_token, { 'x-break-glass': 'Unconscious patient brought to our emergency room' }));
        assert.equal(glass.status, 200);
        // R4 has no AuditEvent purpose search parameter: look through the patient's events.
        const events = await audits(`entity=Patient/${patientB}&_count=100`);
        const glassEvents = events.entry.filter((e: Json) => e.resource.purposeOfEvent?.[0]?.coding?.[0]?.code === 'BTG');
        assert.equal(glassEvents.length, 1, 'break-the-glass is in the audit trail, once');
        assert.equal(glassEvents[0].resource.purposeOfEvent[0].text, 'Unconscious patient brought to our emergency room');
      });

      test('a patient\'s Consent refusing a facility is enforced on reads, searches, includes and $everything, break-the-glass or not', async () => {
        const consent = await s.fhir('Consent', { method: 'POST', body: {
          resourceType: 'Consent', status: 'active',
          scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
          category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
          patient: { reference: `Patient/${patientA}` },
          policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
          provision: { type: 'deny', actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PRCP' }] }, reference: { reference: `Organization/${facilityA}` } }] },
        } });
        assert.equal(consent.status, 201, JSON.stringify(consent.body));
        try {
          const token = await login('clinician.a', 'openid fhirUser user/*.cruds');
          const glass = { 'x-break-glass': 'Unconscious patient brought to our emergency room' };
          assert.equal((await s.fhir(`Patient/${patientA}`, bearer(token.access_token, glass))).status, 403);
          const search = await s.fhir(`Observation?subject=Patient/${patientA}`, bearer(token.access_token));
          assert.equal(search.body.entry.length, 0);
          const included = await s.fhir(`Practitioner?_id=${practitioner}&_revinclude=Observation:performer`, bearer(token.access_token));
          assert.ok(included.body.entry.every((e: Json) => e.resource.resourceType !== 'Observation'));
          assert.equal((await s.fhir(`Patient/${patientA}/$everything`, bearer(token.access_token, glass))).status, 403);
        } finally {
          await s.fhir(`Consent/${consent.body.id}`, { method: 'DELETE' });
        }
      });

      test('brute force: after five wrong passwords the account locks, even for the right one', async () => {
        await account('victim', ['clinician'], undefined, [facilityA]);
        for (let i = 0; i < 5; i++) {
          const attempt = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid', username: 'victim', password: `guess-${i}-wrong` });
          assert.equal(attempt.loginStatus, 401);
        }
        const right = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid', username: 'victim', password });
        assert.equal(right.token, undefined);
        assert.match(right.loginHtml ?? '', /Too many failed attempts/);
        const events = await audits('subtype=http://dicom.nema.org/resources/ontology/DCM|110122&outcome=4');
        assert.ok(events.total >= 5, 'failed logins are audited');
      });

      test('staff with a TOTP second factor need the current code', async () => {
        const staff = await account('steward.totp', ['registry-steward']);
        const uri = await s.security.accounts.enableTotp(staff.id);
        const totp = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
        const attempt = (code?: string) => loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid', username: 'steward.totp', password, totp: code });
        const withoutCode = await attempt();
        assert.equal(withoutCode.token, undefined);
        assert.match(withoutCode.loginHtml ?? '', /name="totp"/, 'the page asks for the code');
        const wrong = await attempt(String((Number(totp.generate()) + 1) % 1_000_000).padStart(6, '0'));
        assert.equal(wrong.token, undefined);
        assert.match(wrong.loginHtml ?? '', /That code is not right/);
        const right = await attempt(totp.generate());
        assert.ok(right.token?.access_token, JSON.stringify(right));
      });

      test('the login page speaks French and Kinyarwanda', async () => {
        const page = async (lang: string) => {
          const result = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid', username: 'nobody', password: 'x'.repeat(12), lang });
          return result.loginHtml ?? '';
        };
        assert.match(await page('fr'), /Nom d&#39;utilisateur ou mot de passe incorrect/);
        assert.match(await page('rw'), /Izina cyangwa ijambo ry&#39;ibanga sibyo/);
      });

      test('the sign-out pages are Huza\'s own, in the person\'s language', async () => {
        await account('leaving', ['clinician']).catch(() => undefined);
        const session = await loginWithCode(s.origin, { clientId: 'huza-web', redirectUri: `${s.origin}/app/callback`, scope: 'openid', username: 'leaving', password });
        assert.ok(session.browser && session.token?.id_token, JSON.stringify(session.token));
        const confirm = async (language: string) => {
          const res = await session.browser!.go(`${s.origin}/session/end?ui_locales=${language}&client_id=huza-web`, { headers: { 'accept-language': 'en' } });
          assert.equal(res.status, 200);
          return res.text();
        };
        const en = await confirm('en');
        assert.match(en, /Do you want to sign out of Huza on this device\?/);
        assert.match(en, /<form[^>]+id="op\.logoutForm"/);
        assert.match(await confirm('fr'), /Oui, me déconnecter/);
        assert.match(await confirm('rw'), /Urashaka gusohoka muri Huza/);
        const done = await fetch(`${s.origin}/session/end/success`, { headers: { 'accept-language': 'fr-FR,fr;q=0.9' } });
        assert.match(await done.text(), /Vous êtes déconnecté/);
      });
    });

    describe('audit trail', () => {
      test('auditors search it, patients see who accessed their record, nobody can change it', async () => {
        const clinician = await login('clinician.a', 'openid fhirUser user/*.cruds');
        await s.fhir(`Patient/${patientA}`, bearer(clinician.access_token));
        await s.security.audit.flush();
        const auditor = await login('auditor', 'openid fhirUser user/*.rs');
        const all = await s.fhir('AuditEvent?_count=5', bearer(auditor.access_token));
        assert.equal(all.status, 200);
        assert.ok(all.body.entry.length > 0);
        assert.equal((await s.fhir(`Patient/${patientA}`, bearer(auditor.access_token))).status, 403, 'auditors read the trail, not the record');
        const patient = await login('patient.a', 'openid fhirUser launch/patient patient/*.rs');
        const mine = await s.fhir(`AuditEvent?patient=Patient/${patientA}&_count=100`, bearer(patient.access_token));
        assert.equal(mine.status, 200);
        const who = mine.body.entry.flatMap((e: Json) => e.resource.agent.map((a: Json) => a.who?.reference));
        assert.ok(who.includes(`Practitioner/${practitioner}`), 'the clinician\'s access is listed');
        const others = await s.fhir(`AuditEvent?patient=Patient/${patientB}`, bearer(patient.access_token));
        assert.equal(others.body.entry.length, 0);
        const id = all.body.entry[0].resource.id;
        assert.equal((await s.fhir(`AuditEvent/${id}`, { method: 'DELETE' })).status, 403);
        assert.equal((await s.fhir(`AuditEvent/${id}`, { method: 'PUT', body: { ...all.body.entry[0].resource, outcome: '0' } })).status, 403);
        assert.equal((await s.fhir('AuditEvent', { method: 'POST', body: { ...all.body.entry[0].resource, id: undefined } })).status, 403);
      });

      test('the hash chain verifies, and a changed AuditEvent breaks it at that point', async () => {
        await s.security.audit.flush();
        const intact = await verifyAuditChain(s.db, s.cipher);
        assert.equal(intact.ok, true);
        assert.ok(intact.checked > 5);
        const victim = await s.db.query<{ audit_event_id: string; seq: number }>('SELECT audit_event_id, seq FROM audit_chain ORDER BY seq LIMIT 1 OFFSET 3');
        const id = victim.rows[0].audit_event_id;
        const ref = { resourceType: 'AuditEvent', id, versionId: 1 };
        const stored = (await s.db.query<{ content: Uint8Array }>(`SELECT content FROM resource WHERE resource_type = 'AuditEvent' AND id = $1`, [id])).rows[0].content;
        // Someone holding the data key rewrites the event and encrypts it properly: the hash catches it.
        const forged = s.cipher.encode((await s.cipher.decode(stored, ref)).replace('"outcome":"', '"outcome":"x'), ref);
        await s.db.query(`UPDATE resource SET content = $2 WHERE resource_type = 'AuditEvent' AND id = $1`, [id, forged]);
        const broken = await verifyAuditChain(s.db, s.cipher);
        assert.equal(broken.ok, false);
        assert.equal(broken.firstBreak?.seq, Number(victim.rows[0].seq));
        assert.match(broken.firstBreak?.problem ?? '', /does not match its hash/);
        // Without the key, any change to the stored bytes fails authenticated decryption.
        await s.db.query(`UPDATE resource SET content = set_byte($2::bytea, 30, get_byte($2::bytea, 30) # 1) WHERE resource_type = 'AuditEvent' AND id = $1`, [id, Buffer.from(stored)]);
        const garbled = await verifyAuditChain(s.db, s.cipher);
        assert.equal(garbled.firstBreak?.seq, Number(victim.rows[0].seq));
        assert.match(garbled.firstBreak?.problem ?? '', /integrity check/);
      });
    });

    describe('licences', () => {
      const licence = (subject: string, type: string, status: string, end: string, start = '2020-01-01') => ({
        resourceType: 'Basic',
        code: { coding: [{ system: 'https://moh.gov.rw/fhir/CodeSystem/licence-type', code: type }] },
        subject: { reference: subject },
        created: '2024-01-01',
        extension: [
          { url: 'https://moh.gov.rw/fhir/StructureDefinition/licence-number', valueString: `RMDC-${Math.random().toString().slice(2, 8)}` },
          { url: 'https://moh.gov.rw/fhir/StructureDefinition/licence-issuer', valueString: 'Rwanda Medical and Dental Council' },
          { url: 'https://moh.gov.rw/fhir/StructureDefinition/licence-period', valuePeriod: { start, end } },
          { url: 'https://moh.gov.rw/fhir/StructureDefinition/licence-status', valueCode: status },
        ],
      });
      const prescription = () => ({
        resourceType: 'MedicationRequest', status: 'active', intent: 'order',
        medicationCodeableConcept: { text: 'Amoxicillin 250 mg dispersible tablet' },
        subject: { reference: `Patient/${patientA}` }, requester: { reference: `Practitioner/${practitioner}` },
      });

      test('prescribing needs an active licence; the regulator issues, suspends and lists those expiring', async () => {
        const clinician = await login('clinician.a', 'openid fhirUser user/*.cruds');
        const unlicensed = await s.fhir('MedicationRequest', { method: 'POST', body: prescription(), ...bearer(clinician.access_token) });
        assert.equal(unlicensed.status, 403);
        assert.match(unlicensed.body.issue[0].diagnostics, /no licence on record/);

        const regulator = await login('regulator', 'openid fhirUser user/*.cruds');
        assert.equal((await s.fhir('Basic', { method: 'POST', body: licence(`Practitioner/${practitioner}`, 'practitioner-licence', 'active', '2020-12-31'), ...bearer(clinician.access_token) })).status, 403, 'clinicians cannot license themselves');
        const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
        const issued = await s.fhir('Basic', { method: 'POST', body: licence(`Practitioner/${practitioner}`, 'practitioner-licence', 'active', soon), ...bearer(regulator.access_token) });
        assert.equal(issued.status, 201, JSON.stringify(issued.body));
        assert.equal((await s.fhir('MedicationRequest', { method: 'POST', body: prescription(), ...bearer(clinician.access_token) })).status, 201);

        const expiring = await s.fhir('Basic/$expiring-licences?days=30', bearer(regulator.access_token));
        assert.equal(expiring.status, 200);
        assert.ok(expiring.body.entry.some((e: Json) => e.resource.id === issued.body.id));
        const later = await s.fhir('Basic/$expiring-licences?days=5', bearer(regulator.access_token));
        assert.ok(!later.body.entry.some((e: Json) => e.resource.id === issued.body.id));

        const suspended = { ...issued.body, extension: issued.body.extension.map((e: Json) => (e.url.endsWith('licence-status') ? { ...e, valueCode: 'suspended' } : e)) };
        assert.equal((await s.fhir(`Basic/${issued.body.id}`, { method: 'PUT', body: suspended, ...bearer(regulator.access_token) })).status, 200);
        const refused = await s.fhir('MedicationRequest', { method: 'POST', body: prescription(), ...bearer(clinician.access_token) });
        assert.equal(refused.status, 403);
        assert.match(refused.body.issue[0].diagnostics, /suspended/);
      });

      test('a teleconsultation also needs the facility\'s digital-health licence; an expired one is refused', async () => {
        const clinician = await login('clinician.a', 'openid fhirUser user/*.cruds');
        await s.fhir('Basic', { method: 'POST', body: licence(`Practitioner/${practitioner}`, 'practitioner-licence', 'active', '2099-12-31') });
        const visit = { resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' }, subject: { reference: `Patient/${patientA}` } };
        const noFacility = await s.fhir('Encounter', { method: 'POST', body: visit, ...bearer(clinician.access_token) });
        assert.equal(noFacility.status, 403);
        assert.match(noFacility.body.issue[0].diagnostics, /digital health/);
        await s.fhir('Basic', { method: 'POST', body: licence(`Organization/${facilityA}`, 'facility-digital-health-licence', 'active', '2021-01-01') });
        const expired = await s.fhir('Encounter', { method: 'POST', body: visit, ...bearer(clinician.access_token) });
        assert.equal(expired.status, 403);
        assert.match(expired.body.issue[0].diagnostics, /expired/);
        await s.fhir('Basic', { method: 'POST', body: licence(`Organization/${facilityA}`, 'facility-digital-health-licence', 'active', '2099-01-01') });
        assert.equal((await s.fhir('Encounter', { method: 'POST', body: visit, ...bearer(clinician.access_token) })).status, 201);
      });
    });

    describe('injection', () => {
      test('SQL and FHIR search injection are plain values: no match, no error, tables intact', async () => {
        for (const value of ["' OR '1'='1", "x'; DROP TABLE resource; --", '%', '_', '\\']) {
          const res = await s.fhir(`Patient?name=${encodeURIComponent(value)}`);
          assert.equal(res.status, 200, value);
          assert.equal(res.body.total, 0, value);
        }
        const chained = await s.fhir(`Observation?subject:Patient.name=${encodeURIComponent("') OR 1=1 --")}`);
        assert.equal(chained.body.total, 0);
        assert.equal((await s.fhir(`Patient/${patientA}`)).status, 200);
      });
    });
  });
}
