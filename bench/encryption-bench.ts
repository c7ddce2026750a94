/**
 * What encryption at rest costs: read-by-id and create of a Patient through the FHIR path in-process
 * (handleFhirRequest), with content stored in plaintext (format 0x00) and encrypted (AES-256-GCM,
 * format 0x01), side by side in the same process over the same database, runs alternating; plus the
 * cipher alone per resource size and the re-encryption rate of `huza keys rotate`.
 *
 *   node bench/encryption-bench.ts [--db pglite|postgres|both] [--seconds 5] [--reps 3] [--clients 1,16] [--patients 1000] [--json file]
 *
 * Uses its own databases (PGlite in memory; a fresh PostgreSQL database, dropped afterwards), never
 * the dataset of bench/fhir-bench.ts.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { createFhirEngine, type FhirEngine } from '../src/fhir/fhir-engine.ts';
import { plaintextContentCodec, type ContentCodec } from '../src/fhir/repository/content-codec.ts';
import type { FhirResource } from '../src/fhir/repository/resource-types.ts';
import type { FhirContext } from '../src/fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../src/fhir/rest/handle-fhir-request.ts';
import { openContentEncryption } from '../src/security/encryption/content-cipher.ts';
import { rotateDataKey } from '../src/security/encryption/rotate-keys.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '5' },
    reps: { type: 'string', default: '3' },
    clients: { type: 'string', default: '1,16' },
    patients: { type: 'string', default: '1000' },
    json: { type: 'string' },
  },
});
const seconds = Number(args.seconds);
const reps = Number(args.reps);
const clientCounts = String(args.clients).split(',').map(Number);
const preload = Number(args.patients);
const kinds = args.db === 'both' ? ['pglite', 'postgres'] as const : [args.db as 'pglite' | 'postgres'];
const adminUrl = process.env.HUZA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const masterKey = { base64: Buffer.alloc(32, 11).toString('base64'), file: '/nonexistent', allowCreate: false };

type Mode = 'plaintext' | 'encrypted';
type Scenario = 'read' | 'create';

interface Cell { db: string; scenario: Scenario; clients: number; mode: Mode; runs: { ops: number; p50: number; p95: number }[] }

const givenNames = ['Espérance', 'Théogène', 'Jean de Dieu', 'Claudine', 'Emmanuel', 'Aline', 'Olivier', 'Divine'];
const familyNames = ['Mukamana', 'Habimana', 'Uwase', 'Niyonzima', 'Mukamanzi', 'Nshimiyimana', 'Ingabire', 'Hakizimana'];
let serial = 0;

/** A registration as the platform stores it (~1 KB of JSON): names, national ID, phone, address, facility. */
function patient(): FhirResource {
  const n = serial++;
  const year = 1950 + (n % 60);
  return {
    resourceType: 'Patient',
    meta: { tag: [{ system: 'https://huza.rw/fhir/bench', code: 'encryption-bench' }] },
    identifier: [
      { system: 'https://moh.gov.rw/fhir/id/national-id', value: `1${year}${n % 2 ? 8 : 7}${String(n).padStart(7, '0')}11` },
      { system: 'https://moh.gov.rw/fhir/id/mutuelle', value: `MUT-${String(n).padStart(9, '0')}` },
    ],
    active: true,
    name: [{ use: 'official', family: familyNames[n % familyNames.length], given: [givenNames[n % givenNames.length], givenNames[(n + 3) % givenNames.length]] }],
    telecom: [{ system: 'phone', value: `+25078${String(n).padStart(7, '0')}`, use: 'mobile' }],
    gender: n % 2 ? 'male' : 'female',
    birthDate: `${year}-0${1 + (n % 9)}-1${n % 10}`,
    address: [{ use: 'home', line: [`KG ${n % 700} St`], city: 'Kigali', district: 'Gasabo', state: 'Kigali City', country: 'RW' }],
    maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M' }] },
    contact: [{ relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] }], name: { family: familyNames[(n + 1) % 8], given: [givenNames[(n + 5) % 8]] }, telecom: [{ system: 'phone', value: `+25072${String(n).padStart(7, '0')}` }] }],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'rw' }] }, preferred: true }],
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Closed loop: each client sends its next request when the previous one is answered. */
async function closedLoop(clients: number, ms: number, op: (client: number, i: number) => Promise<void>): Promise<{ ops: number; p50: number; p95: number }> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; performance.now() < end; i++) {
      const t = performance.now();
      await op(c, i);
      latencies.push(performance.now() - t);
    }
  }));
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length / (ms / 1000), p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) };
}

async function openBench(kind: 'pglite' | 'postgres'): Promise<{ db: Database; drop(): Promise<void> }> {
  if (kind === 'pglite') return { db: await openDatabase({ poolSize: 1 }), drop: async () => {} };
  const name = `huza_encbench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 });
  return {
    db,
    async drop() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

function contextOf(engine: FhirEngine): FhirContext {
  return { repo: engine.repo, operations: engine.operations, search: engine.search, baseUrl: 'http://huza.bench/fhir' };
}

async function request(ctx: FhirContext, method: 'GET' | 'POST', path: string, body?: unknown): Promise<void> {
  const response = await handleFhirRequest(ctx, { method, path, query: [], headers: {}, body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.body}`);
}

async function benchDatabase(kind: 'pglite' | 'postgres', cells: Cell[]): Promise<{ rotation: { rows: number; seconds: number } }> {
  const { db, drop } = await openBench(kind);
  try {
    const { cipher } = await openContentEncryption(db, masterKey);
    const codecs: Record<Mode, ContentCodec> = { plaintext: plaintextContentCodec, encrypted: cipher };
    const contexts = {} as Record<Mode, FhirContext>;
    const ids = {} as Record<Mode, string[]>;
    for (const mode of ['plaintext', 'encrypted'] as const) {
      contexts[mode] = contextOf(createFhirEngine(db, { validate: true, maxSnapshotSize: 10_000, contentCodec: codecs[mode] }));
      ids[mode] = [];
      for (let i = 0; i < preload; i++) ids[mode].push((await contexts[mode].repo.create(patient())).id);
    }
    process.stderr.write(`${kind}: ${preload} patients per mode loaded\n`);
    const scenarios: Record<Scenario, (mode: Mode) => (client: number, i: number) => Promise<void>> = {
      read: (mode) => (c, i) => request(contexts[mode], 'GET', `Patient/${ids[mode][(c * 7919 + i * 104729) % ids[mode].length]}`),
      create: (mode) => () => request(contexts[mode], 'POST', 'Patient', patient()),
    };
    for (const scenario of ['read', 'create'] as const) {
      for (const clients of clientCounts) {
        const byMode = {} as Record<Mode, Cell>;
        for (const mode of ['plaintext', 'encrypted'] as const) {
          byMode[mode] = { db: kind, scenario, clients, mode, runs: [] };
          cells.push(byMode[mode]);
        }
        for (let rep = 0; rep < reps; rep++) {
          // Alternate which mode goes first, so drift of the machine falls on both.
          const order: Mode[] = rep % 2 === 0 ? ['plaintext', 'encrypted'] : ['encrypted', 'plaintext'];
          for (const mode of order) {
            await closedLoop(clients, 500, scenarios[scenario](mode)); // warm-up
            byMode[mode].runs.push(await closedLoop(clients, seconds * 1000, scenarios[scenario](mode)));
          }
        }
        const p = summary(byMode.plaintext);
        const e = summary(byMode.encrypted);
        process.stderr.write(`${kind} ${scenario} ×${clients}: plaintext ${p.ops.toFixed(0)} ops/s, encrypted ${e.ops.toFixed(0)} ops/s\n`);
      }
    }
    // What `huza keys rotate` re-encrypts per second: every row written above, plaintext ones included.
    const started = performance.now();
    const report = await rotateDataKey(db, cipher, { batchSize: 500 });
    const rotation = { rows: report.reencrypted.resource + report.reencrypted.resource_history, seconds: (performance.now() - started) / 1000 };
    return { rotation };
  } finally {
    await drop();
  }
}

function summary(cell: Cell): { ops: number; p50: number; p95: number } {
  return { ops: median(cell.runs.map((r) => r.ops)), p50: median(cell.runs.map((r) => r.p50)), p95: median(cell.runs.map((r) => r.p95)) };
}

/** The cipher alone: µs per encode and decode of content of a given size. */
async function cipherAlone(): Promise<{ size: string; bytes: number; encodeUs: number; decodeUs: number; plainEncodeUs: number; plainDecodeUs: number }[]> {
  const db = await openDatabase({ poolSize: 1 });
  try {
    const { cipher } = await openContentEncryption(db, masterKey);
    const ref = { resourceType: 'Patient', id: 'x', versionId: 1 };
    const sizes: [string, string][] = [
      ['Patient (typical)', JSON.stringify(patient())],
      ['10 KB resource', JSON.stringify({ resourceType: 'Basic', text: 'x'.repeat(10_000) })],
      ['attachment, 1 MB', JSON.stringify({ resourceType: 'Binary', contentType: 'application/pdf', data: randomBytes(750_000).toString('base64') })],
    ];
    const out = [];
    for (const [size, json] of sizes) {
      const n = Math.max(50, Math.floor(2_000_000 / json.length));
      const time = async (fn: () => unknown) => {
        for (let i = 0; i < Math.min(n, 200); i++) await fn();
        const runs = [];
        for (let r = 0; r < 3; r++) {
          const t = performance.now();
          for (let i = 0; i < n; i++) await fn();
          runs.push(((performance.now() - t) * 1000) / n);
        }
        return median(runs);
      };
      const sealed = cipher.encode(json, ref);
      const plain = plaintextContentCodec.encode(json, ref);
      out.push({
        size, bytes: Buffer.byteLength(json),
        encodeUs: await time(() => cipher.encode(json, ref)),
        decodeUs: await time(() => cipher.decode(sealed, ref)),
        plainEncodeUs: await time(() => plaintextContentCodec.encode(json, ref)),
        plainDecodeUs: await time(() => plaintextContentCodec.decode(plain, ref)),
      });
    }
    return out;
  } finally {
    await db.close();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const cells: Cell[] = [];
const rotations: Record<string, { rows: number; seconds: number }> = {};
const startedAt = new Date();
const load = loadavg();
for (const kind of kinds) rotations[kind] = (await benchDatabase(kind, cells)).rotation;
const cipher = await cipherAlone();

const lines: string[] = [];
lines.push(`Run ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average at start ${load.map((l) => l.toFixed(1)).join(' / ')}; `
  + `${preload} patients per mode preloaded; ${reps} runs of ${seconds} s per cell, alternating modes; medians.`);
lines.push('');
lines.push('| Database | Interaction | Clients | Plaintext ops/s | Encrypted ops/s | Encrypted ÷ plaintext | Plaintext p50 / p95 ms | Encrypted p50 / p95 ms |');
lines.push('|---|---|--:|--:|--:|--:|--:|--:|');
for (let i = 0; i < cells.length; i += 2) {
  const p = summary(cells[i]);
  const e = summary(cells[i + 1]);
  const name = cells[i].scenario === 'read' ? 'GET Patient/{id}' : 'POST Patient';
  lines.push(`| ${cells[i].db === 'pglite' ? 'PGlite' : 'PostgreSQL'} | ${name} | ${cells[i].clients} | ${fmt(p.ops)} | ${fmt(e.ops)} | ${fmt((100 * e.ops) / p.ops)}% | `
    + `${fmt(p.p50, 2)} / ${fmt(p.p95, 2)} | ${fmt(e.p50, 2)} / ${fmt(e.p95, 2)} |`);
}
lines.push('');
lines.push('The cipher alone (one core, median of 3):');
lines.push('');
lines.push('| Content | JSON bytes | Encrypt µs | Decrypt µs | Plaintext encode / decode µs |');
lines.push('|---|--:|--:|--:|--:|');
for (const c of cipher) lines.push(`| ${c.size} | ${fmt(c.bytes)} | ${fmt(c.encodeUs, 1)} | ${fmt(c.decodeUs, 1)} | ${fmt(c.plainEncodeUs, 1)} / ${fmt(c.plainDecodeUs, 1)} |`);
lines.push('');
lines.push(`Re-encryption by \`huza keys rotate\` (batches of 500, no concurrent load): `
  + Object.entries(rotations).map(([k, r]) => `${k === 'pglite' ? 'PGlite' : 'PostgreSQL'} ${fmt(r.rows)} rows in ${fmt(r.seconds, 1)} s (${fmt(r.rows / r.seconds)} rows/s)`).join('; ') + '.');
console.log(lines.join('\n'));
if (args.json) writeFileSync(args.json, JSON.stringify({ startedAt, load, preload, reps, seconds, cells, cipher, rotations }, null, 2));
