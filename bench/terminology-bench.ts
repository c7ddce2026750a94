/**
 * What `ValueSet/$expand?filter=` costs on a large value set: a generated 10,000-concept hierarchical
 * CodeSystem and a ValueSet including all of it, stored through the FHIR engine, expanded with a text
 * filter (a type-ahead: count=20) in-process (handleFhirRequest: resolution, cache check, filter, JSON)
 * and over HTTP (a real server with an OAuth token), side by side with a baseline — a plain in-memory
 * Array.filter over the same concepts' displays, no FHIR at all — and with the word index alone.
 * Each figure is the median over --reps repetitions of p50/p95 over --requests sequential requests.
 *
 *   node bench/terminology-bench.ts [--db pglite|postgres|both] [--concepts 10000] [--requests 400] [--reps 3] [--json bench/results/terminology.json]
 *
 * Uses its own databases (PGlite in memory; a fresh PostgreSQL database, dropped afterwards).
 */
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { FhirContext } from '../src/fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../src/fhir/rest/handle-fhir-request.ts';
import { mulberry32 } from '../src/seed/prng.ts';
import { WordIndex, splitWords } from '../src/terminology/word-index.ts';
import { testDatabaseKinds } from '../src/test-support/test-databases.ts';
import { startTestServer } from '../src/test-support/test-server.ts';
import { medianOf, summarize, type RunStats } from './measure.ts';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    concepts: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '400' },
    reps: { type: 'string', default: '3' },
    json: { type: 'string', default: 'bench/results/terminology.json' },
  },
});
const conceptCount = Number(args.concepts);
const requests = Number(args.requests);
const reps = Number(args.reps);
const kinds = testDatabaseKinds.filter((k) => args.db === 'both' || k.name === args.db);

// ---- the generated code system ------------------------------------------------------------------

const adjectives = ['acute', 'chronic', 'recurrent', 'severe', 'mild', 'congenital', 'bacterial', 'viral', 'fungal', 'traumatic', 'allergic', 'obstructive'];
const conditions = ['infection', 'inflammation', 'fracture', 'ulcer', 'haemorrhage', 'stenosis', 'abscess', 'lesion', 'neoplasm', 'deficiency', 'disorder', 'injury', 'oedema', 'syndrome'];
const sites = ['knee', 'lung', 'liver', 'kidney', 'heart', 'skin', 'eye', 'ear', 'bone', 'stomach', 'bladder', 'spine', 'brain', 'throat', 'hand', 'foot', 'hip', 'colon'];
const sides = ['left', 'right', 'bilateral', 'unspecified'];

function generate(n: number): { resourceType: 'CodeSystem'; [k: string]: unknown; concept: { code: string; display: string; concept: { code: string; display: string }[] }[] } {
  const next = mulberry32(20261201);
  const random = () => next() / 2 ** 32;
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const groups = Math.ceil(n / 100);
  const concept = Array.from({ length: groups }, (_, g) => {
    const groupDisplay = `${pick(conditions)} of ${pick(sites)} group ${g}`.replace(/^./, (c) => c.toUpperCase());
    const children = Array.from({ length: Math.min(99, n - g * 100 - 1) }, (_, i) => ({
      code: `T${String(g).padStart(3, '0')}.${String(i).padStart(2, '0')}`,
      display: `${pick(adjectives)} ${pick(conditions)} of ${pick(sides)} ${pick(sites)}, type ${g * 100 + i}`.replace(/^./, (c) => c.toUpperCase()),
    }));
    return { code: `T${String(g).padStart(3, '0')}`, display: groupDisplay, concept: children };
  });
  return {
    resourceType: 'CodeSystem', id: 'bench-conditions', url: 'https://bench.huza.rw/CodeSystem/conditions', version: '1', status: 'active',
    content: 'complete', hierarchyMeaning: 'is-a', count: n, concept,
  };
}

const codeSystem = generate(conceptCount);
const valueSet = { resourceType: 'ValueSet', id: 'bench-conditions', url: 'https://bench.huza.rw/ValueSet/conditions', status: 'active', compose: { include: [{ system: codeSystem.url }] } };
const flat = codeSystem.concept.flatMap((g) => [{ code: g.code, display: g.display }, ...g.concept]);
if (flat.length !== conceptCount) throw new Error(`generated ${flat.length} concepts, not ${conceptCount}`);

/** Type-ahead filters: a prefix as typed, two words, a rare word, a code. */
const filters = ['inf', 'infection', 'chronic kne', 'left lung', 'haem', 'absc liver', 'type 4711', 'bilateral fracture hip', 'oed', 'T042'];

// ---- measurement ------------------------------------------------------------------------------

interface Figures { p50: number; p95: number; mean: number }

async function measure(op: (filter: string) => Promise<number> | number): Promise<Figures & { matchesMean: number }> {
  const runs: RunStats[] = [];
  let matches = 0;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < 50; i++) await op(filters[i % filters.length]);
    const latencies: number[] = [];
    matches = 0;
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      matches += await op(filters[i % filters.length]);
      latencies.push(performance.now() - started);
    }
    runs.push(summarize(latencies, 0, 1));
  }
  const { p50, p95, mean } = medianOf(runs);
  return { p50, p95, mean, matchesMean: matches / requests };
}

/** The baseline: what a service without an index does per request — lower-case and scan every display. */
function baseline(filter: string): number {
  const words = splitWords(filter);
  const hits = flat.filter((c) => {
    const text = `${c.code} ${c.display}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  return hits.length;
}

interface Row { scenario: string; p50: number; p95: number; mean: number; matches: number; ratioP50: number; ratioP95: number }

const results: Record<string, { coldExpandMs: number; rows: Row[] }> = {};
const wordIndex = new WordIndex(flat.map((c) => [c.code, c.display]));
const base = await measure(baseline);
const indexOnly = await measure((f) => wordIndex.search(f).length);

for (const kind of kinds) {
  const server = await startTestServer(kind);
  try {
    const ctx: FhirContext = { repo: server.engine.repo, operations: server.engine.operations, search: server.engine.search, baseUrl: `${server.origin}/fhir` };
    for (const resource of [codeSystem, valueSet]) {
      const res = await handleFhirRequest(ctx, { method: 'PUT', path: `${resource.resourceType}/${resource.id}`, query: [], headers: {}, body: resource });
      if (res.status >= 300) throw new Error(`storing ${resource.resourceType} failed: ${res.body}`);
    }
    const expandQuery = (filter: string): [string, string][] => [['url', valueSet.url], ['filter', filter], ['count', '20']];
    const coldStart = performance.now();
    const cold = await handleFhirRequest(ctx, { method: 'GET', path: 'ValueSet/$expand', query: expandQuery('inf'), headers: {} });
    const coldExpandMs = performance.now() - coldStart;
    if (cold.status !== 200) throw new Error(`$expand failed: ${cold.body}`);
    const inProcess = await measure(async (filter) => {
      const res = await handleFhirRequest(ctx, { method: 'GET', path: 'ValueSet/$expand', query: expandQuery(filter), headers: {} });
      if (res.status !== 200) throw new Error(res.body);
      return (JSON.parse(res.body as string) as { expansion: { total: number } }).expansion.total;
    });
    const overHttp = await measure(async (filter) => {
      const res = await server.fhir(`ValueSet/$expand?url=${encodeURIComponent(valueSet.url)}&filter=${encodeURIComponent(filter)}&count=20`);
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      return res.body.expansion.total as number;
    });
    const row = (scenario: string, f: Figures & { matchesMean: number }): Row => ({
      scenario, p50: f.p50, p95: f.p95, mean: f.mean, matches: f.matchesMean, ratioP50: f.p50 / base.p50, ratioP95: f.p95 / base.p95,
    });
    results[kind.name] = {
      coldExpandMs,
      rows: [
        row('baseline: Array.filter over displays (in memory, no FHIR)', base),
        row('word index alone (in memory)', indexOnly),
        row('$expand in-process (handleFhirRequest)', inProcess),
        row('$expand over HTTP (OAuth, Fastify)', overHttp),
      ],
    };
  } finally {
    await server.close();
  }
}

const fmt = (n: number) => (n < 0.1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1));
const lines: string[] = [];
for (const [db, r] of Object.entries(results)) {
  lines.push(`\n**${db}** — ${conceptCount} concepts, filter + count=20, ${requests} requests × ${reps} reps; first (cold) expansion ${fmt(r.coldExpandMs)} ms\n`);
  lines.push('| Scenario | p50 ms | p95 ms | × baseline p50 | × baseline p95 | matches (mean) |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const x of r.rows) lines.push(`| ${x.scenario} | ${fmt(x.p50)} | ${fmt(x.p95)} | ${fmt(x.ratioP50)} | ${fmt(x.ratioP95)} | ${Math.round(x.matches)} |`);
}
console.log(lines.join('\n'));
const output = {
  date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg(),
  concepts: conceptCount, requests, reps, filters, count: 20, results,
};
mkdirSync(dirname(String(args.json)), { recursive: true });
writeFileSync(String(args.json), `${JSON.stringify(output, null, 2)}\n`);
console.log(`\nwrote ${args.json}`);
process.exit(0);
