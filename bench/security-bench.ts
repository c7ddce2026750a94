/**
 * What the access check and the audit add to a FHIR read (issue target: < 2 ms median), side by side
 * in one process: the same read through handleFhirRequest, (a) as a trusted in-process caller (no
 * access hooks, no audit) and (b) as a clinician whose access is decided by the AccessControl (scopes,
 * role, care relationship and consent looked up in the database) and whose read is audited (the
 * AuditEvent queued and written in batches, as the server does). Rounds alternate (a) and (b) so the
 * machine's noise falls on both; medians over all reads.
 *
 *   npm run bench:security -- [--db pglite|postgres|both] [--reads 400] [--rounds 6]
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open-database.ts';
import type { Database } from '../src/db/database.ts';
import { createFhirEngine } from '../src/fhir/fhir-engine.ts';
import type { FhirContext, FhirRequest } from '../src/fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../src/fhir/rest/handle-fhir-request.ts';
import { AccessControl } from '../src/security/access/access-policy.ts';
import type { Actor } from '../src/security/access/actor.ts';
import { parseScopes } from '../src/security/access/smart-scopes.ts';
import { accessRecordFor } from '../src/security/audit/access-record-for.ts';
import { openContentEncryption } from '../src/security/encryption/content-cipher.ts';
import { createSecurityServices } from '../src/security/security-services.ts';
import { createFreshPostgresDatabase } from '../src/test-support/test-databases.ts';

const { values: args } = parseArgs({ options: { db: { type: 'string', default: 'both' }, reads: { type: 'string', default: '400' }, rounds: { type: 'string', default: '6' } } });
const readsPerRound = Number(args.reads);
const rounds = Number(args.rounds);
const masterKey = { base64: Buffer.alloc(32, 11).toString('base64'), file: '/nonexistent', allowCreate: false };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(kind: 'pglite' | 'postgres'): Promise<{ kind: string; plain: number; guarded: number; p95plain: number; p95guarded: number }> {
  let db: Database;
  let drop = async () => undefined as void;
  if (kind === 'pglite') db = await openDatabase({ poolSize: 1 });
  else {
    const fresh = await createFreshPostgresDatabase();
    db = await openDatabase({ databaseUrl: fresh.url, poolSize: 8 });
    drop = fresh.drop;
  }
  const { keyRing, cipher } = await openContentEncryption(db, masterKey);
  const engine = createFhirEngine(db, { validate: true, maxSnapshotSize: 10_000, contentCodec: cipher });
  const security = await createSecurityServices({ db, engine, origin: 'http://bench.local', masterKey, keyRing, auditFlushMs: 200 });
  const facility = (await engine.repo.create({ resourceType: 'Organization', name: 'Kibagabaga Hospital' })).id;
  const patients: string[] = [];
  for (let i = 0; i < 500; i++) {
    const p = await engine.repo.create({ resourceType: 'Patient', name: [{ family: `Uwimana${i}`, given: ['Aline'] }], gender: 'female', birthDate: '1990-01-01', managingOrganization: { reference: `Organization/${facility}` } });
    patients.push(p.id);
  }
  const clinician: Actor = {
    kind: 'person', id: 'bench-clinician', clientId: 'huza-web', roles: ['clinician'], fhirUser: 'Practitioner/bench',
    facilities: [facility], scopes: parseScopes('user/*.cruds'), address: '127.0.0.1',
  };
  const base: FhirContext = { repo: engine.repo, operations: engine.operations, search: engine.search, baseUrl: 'http://bench.local/fhir' };
  const request = (i: number): FhirRequest => ({ method: 'GET', path: `Patient/${patients[i % patients.length]}`, query: [], headers: {} });

  const plain: number[] = [];
  const guarded: number[] = [];
  const runPlain = async (i: number) => {
    const t = performance.now();
    const r = await handleFhirRequest(base, request(i));
    plain.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`plain read ${r.status}`);
  };
  const runGuarded = async (i: number) => {
    const t = performance.now();
    const req = request(i);
    const access = new AccessControl(clinician, db, cipher);
    const r = await handleFhirRequest({ ...base, access }, req);
    const record = accessRecordFor(clinician, req, r, clinician.address);
    if (record) security.audit.recordAccess(record);
    guarded.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`guarded read ${r.status}: ${r.body}`);
  };
  for (let i = 0; i < 200; i++) { await runPlain(i); await runGuarded(i); }
  plain.length = 0;
  guarded.length = 0;
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? runPlain : runGuarded;
    const second = round % 2 === 0 ? runGuarded : runPlain;
    for (let i = 0; i < readsPerRound; i++) await first(round * readsPerRound + i);
    for (let i = 0; i < readsPerRound; i++) await second(round * readsPerRound + i);
  }
  await security.audit.flush();
  const audited = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_chain')).rows[0].n;
  await db.close();
  await drop();
  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
  console.log(`[${kind}] ${plain.length} reads each way; ${audited} AuditEvents chained`);
  return { kind, plain: median(plain), guarded: median(guarded), p95plain: p95(plain), p95guarded: p95(guarded) };
}

const kinds = args.db === 'both' ? (['pglite', 'postgres'] as const) : [args.db as 'pglite' | 'postgres'];
const results = [];
for (const kind of kinds) results.push(await measure(kind));
console.log('\n| database | read, no access check or audit: median (p95) | read as a clinician, checked and audited: median (p95) | added, median |');
console.log('|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.kind} | ${r.plain.toFixed(3)} ms (${r.p95plain.toFixed(3)}) | ${r.guarded.toFixed(3)} ms (${r.p95guarded.toFixed(3)}) | **${(r.guarded - r.plain).toFixed(3)} ms** |`);
}
