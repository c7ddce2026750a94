/**
 * Turns bench/results/results-<db>.json into the generated part of BENCHMARKS.md (between the
 * bench:results markers; text outside them is kept) and one SVG bar chart per database.
 *
 *   node bench/report.ts      regenerates both from the last results, without measuring again
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Manifest } from './bench-database.ts';
import { benchRoot } from './bench-database.ts';
import type { RunStats } from './measure.ts';

export const scenarioNames = ['read', 'search-identifier', 'search-name-birthdate', 'create', 'update', 'transaction'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export const scenarioLabels: Record<ScenarioName, string> = {
  'read': 'read Patient by id',
  'search-identifier': 'search Patient?identifier=',
  'search-name-birthdate': 'search Patient?name=&birthdate=',
  'create': 'create Patient',
  'update': 'update Patient',
  'transaction': 'transaction, 20 entries',
};

type Stats = RunStats & { runs: number; throughputs: number[] };

export interface ScenarioResult {
  scenario: ScenarioName;
  concurrency: number;
  /** SQL statements per interaction (mean over the captured inputs). */
  statements: number;
  huza: Stats;
  baseline: Stats;
  http?: Stats;
}

export interface PlanSummary {
  label: string;
  statements: number;
  executionMs: number[];
  nodes: string[];
}

export interface DbResults {
  kind: 'postgres' | 'pglite';
  date: string;
  postgresVersion: string;
  patients: number;
  others: number;
  poolSize: number;
  load: Manifest;
  seconds: number;
  warmup: number;
  reps: number;
  results: ScenarioResult[];
  plans: PlanSummary[];
  memory: { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; maxRssMb: number };
  /** 1-minute load average sampled every 10 s during the runs (the machine is shared). */
  systemLoad?: { min: number; median: number; max: number };
}

interface ResultsFile extends DbResults {
  command: string;
  machine: { nproc: number; cpu: string; memoryGb: number; node: string };
}

const startMarker = '<!-- bench:results:start -->';
const endMarker = '<!-- bench:results:end -->';
const dbTitle = { postgres: 'PostgreSQL', pglite: 'Embedded database (PGlite)' } as const;

const n0 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const ms = (v: number | null) => (v === null || Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const lat = (s: Stats | undefined) => (s ? `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}` : '–');
/** The median, and the range of the runs when they differ by more than 10% (a noisy machine shows here). */
const ops = (s: Stats | undefined) => {
  if (!s) return '–';
  const lo = Math.min(...s.throughputs);
  const hi = Math.max(...s.throughputs);
  return hi > lo * 1.1 ? `${n0(s.throughput)} <sub>${n0(lo)}–${n0(hi)}</sub>` : n0(s.throughput);
};
const pct = (a: Stats | undefined, b: Stats) => (a ? `${Math.round((100 * a.throughput) / b.throughput)}%` : '–');

function section(r: ResultsFile): string {
  const lines: string[] = [];
  lines.push(`### ${dbTitle[r.kind]}: ${n0(r.patients)} patients + ${n0(r.others)} other resources`, '');
  lines.push(`- Command: \`${r.command}\`; run ${r.date.slice(0, 16).replace('T', ' ')} UTC.`);
  lines.push(`- Machine: ${r.machine.nproc} CPUs (${r.machine.cpu}), ${r.machine.memoryGb} GB RAM, shared and noisy; Node ${r.machine.node}; `
    + `${r.kind === 'postgres' ? `PostgreSQL ${r.postgresVersion} on 127.0.0.1 (stock settings), pool of ${r.poolSize} connections for Huza and for the baseline` : `PGlite (PostgreSQL ${r.postgresVersion} in WASM, one connection, in the benchmark process)`}.`);
  if (r.systemLoad) {
    lines.push(`- System load during the runs (1-minute load average, sampled every 10 s; ${r.machine.nproc} CPUs): median ${r.systemLoad.median.toFixed(1)}, `
      + `range ${r.systemLoad.min.toFixed(1)}–${r.systemLoad.max.toFixed(1)}. Above ${r.machine.nproc}, other work on the machine was competing for the CPUs.`);
  }
  lines.push(`- Throughput cells show the median and, in small type, the range of the ${r.reps} runs when they differ by more than 10%.`);
  lines.push(`- Each figure: median of ${r.reps} runs of ${r.seconds} s measured after ${r.warmup} s warm-up; closed loop (each client sends its next request when the last one is answered).`);
  lines.push(`- Dataset: loaded through \`engine.repo.create\` (validation ${r.load.validated ? 'on' : 'off'}, ${r.load.concurrency} in flight) at `
    + `**${n0(r.load.rate)} resources/s** (${(r.load.loadSeconds / 60).toFixed(1)} min, ${r.load.loadedAt.slice(0, 10)}).`);
  lines.push(`- Process memory after the ${dbTitle[r.kind]} runs: RSS ${n0(r.memory.rssMb)} MB (peak ${n0(r.memory.maxRssMb)} MB), `
    + `JS heap used ${n0(r.memory.heapUsedMb)} MB of ${n0(r.memory.heapTotalMb)} MB, external ${n0(r.memory.externalMb)} MB`
    + `${r.kind === 'pglite' ? ' (RSS includes the PGlite WASM heap)' : ' (PostgreSQL server memory not included)'}.`);
  lines.push('', `![Huza vs baseline throughput, ${dbTitle[r.kind]}](bench/results/throughput-${r.kind}.svg)`, '');
  lines.push('| Scenario | Clients | SQL stmts | Huza in-process ops/s | Huza HTTP ops/s | Baseline SQL ops/s | In-process ÷ baseline | HTTP ÷ baseline | In-process p50 / p95 / p99 ms | HTTP p50 / p95 / p99 ms | Baseline p50 / p95 / p99 ms |');
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const x of r.results) {
    const errors = x.huza.errors + x.baseline.errors + (x.http?.errors ?? 0);
    lines.push(`| ${scenarioLabels[x.scenario]}${errors ? ` (${errors} errors)` : ''} | ${x.concurrency} | ${x.statements.toFixed(x.statements % 1 ? 1 : 0)} | `
      + `${ops(x.huza)} | ${ops(x.http)} | ${ops(x.baseline)} | ${pct(x.huza, x.baseline)} | ${pct(x.http, x.baseline)} | `
      + `${lat(x.huza)} | ${lat(x.http)} | ${lat(x.baseline)} |`);
  }
  if (r.plans.length) {
    lines.push('', `Query plans at this size (\`EXPLAIN (ANALYZE, BUFFERS)\`, full text in [bench/results/plans-${r.kind}.txt](bench/results/plans-${r.kind}.txt)):`, '');
    for (const p of r.plans) {
      lines.push(`- ${p.label}: ${p.statements} statement${p.statements > 1 ? 's' : ''}, execution ${p.executionMs.map((t) => `${t} ms`).join(' + ')}; `
        + p.nodes.map((n) => `\`${n}\``).join('; then '));
    }
  }
  return lines.join('\n');
}

function targets(pg: ResultsFile | undefined): string {
  const lines = ['### Where it stands against the targets (PostgreSQL)', ''];
  if (!pg) return [...lines, 'No PostgreSQL results yet.'].join('\n');
  const at = (s: ScenarioName, c: number) => pg.results.find((x) => x.scenario === s && x.concurrency === c);
  const clients = [...new Set(pg.results.map((x) => x.concurrency))].sort((a, b) => a - b);
  const status = (ok: boolean[]) => (ok.length === 0 ? 'not measured' : ok.every(Boolean) ? '**met**' : ok.some(Boolean) ? '**partly met**' : '**missed**');
  lines.push('| Target | Measured | Status |', '|---|---|---|');
  {
    const cells: string[] = [];
    const ok: boolean[] = [];
    for (const c of clients) {
      const x = at('read', c);
      if (!x) continue;
      const a = x.huza.throughput / x.baseline.throughput;
      ok.push(a >= 0.6);
      cells.push(`${c} client${c > 1 ? 's' : ''}: in-process ${Math.round(100 * a)}%${x.http ? `, HTTP ${Math.round((100 * x.http.throughput) / x.baseline.throughput)}%` : ''}`);
    }
    lines.push(`| read by id ≥ 60% of the baseline's throughput (in-process path) | ${cells.join('; ')} | ${status(ok)} |`);
  }
  {
    const cells: string[] = [];
    const ok: boolean[] = [];
    for (const s of ['search-identifier', 'search-name-birthdate'] as const) {
      for (const c of clients) {
        const x = at(s, c);
        if (!x) continue;
        ok.push(x.huza.p95 < 20);
        cells.push(`${s.replace('search-', '')}, ${c} client${c > 1 ? 's' : ''}: ${ms(x.huza.p95)} ms${x.http ? ` (HTTP ${ms(x.http.p95)} ms)` : ''}`);
      }
    }
    lines.push(`| p95 search latency < 20 ms with ${n0(pg.patients)} patients + ${n0(pg.others)} others (in-process p95; HTTP in brackets) | ${cells.join('; ')} | ${status(ok)} |`);
  }
  {
    const xs = clients.map((c) => at('transaction', c)).filter((x) => x !== undefined);
    const best = xs.reduce<ScenarioResult | undefined>((b, x) => (!b || x.huza.throughput > b.huza.throughput ? x : b), undefined);
    const cells = xs.map((x) => `${x.concurrency} client${x.concurrency > 1 ? 's' : ''}: ${n0(x.huza.throughput)}/s${x.http ? ` (HTTP ${n0(x.http.throughput)}/s)` : ''}, baseline ${n0(x.baseline.throughput)}/s`);
    lines.push(`| 20-entry transaction ≥ 300 bundles/s | ${cells.join('; ')} | ${best ? status([best.huza.throughput >= 300]) : 'not measured'} |`);
  }
  return lines.join('\n');
}

interface ExperimentsFile {
  date: string;
  seconds: number;
  reps: number;
  outcomes: Record<string, { name: string; concurrency: number; stats: Stats; walPerOp?: { records: number; fpi: number; kb: number } }[]>;
}

const experimentTitles: Record<string, string> = {
  date: 'Search name+birthdate: birthdate condition as a bounded range',
  batch: '20-entry transaction: one multi-row statement instead of 20',
  uuid: 'Create: time-ordered UUIDv7 ids instead of random UUIDv4',
  http: 'HTTP ceiling of this machine: bare Fastify route, same client process',
};

function experiments(x: ExperimentsFile): string {
  const lines = [
    `### What-if measurements (PostgreSQL, same dataset; \`node bench/experiments.ts\`, ${x.date.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Driver-only replays of the captured SQL, changed as a proposal would change it (no engine code changed); median of ${x.reps} × ${x.seconds} s.`,
    'WAL per operation comes from pg_stat_wal, which counts the whole server (other databases on it included), so read it as indicative.',
    '',
    '| What | Clients | Variant | ops/s | p50 / p95 ms | WAL per op (records, full-page images, KB) | vs. first variant |',
    '|---|--:|---|--:|--:|--:|--:|',
  ];
  for (const [key, rows] of Object.entries(x.outcomes)) {
    for (const row of rows) {
      const first = rows.find((r) => r.concurrency === row.concurrency) as typeof row;
      const wal = row.walPerOp ? `${row.walPerOp.records.toFixed(0)}, ${row.walPerOp.fpi.toFixed(1)}, ${row.walPerOp.kb.toFixed(0)}` : '–';
      const change = first === row ? '' : `${(row.stats.throughput / first.stats.throughput).toFixed(2)}×`;
      lines.push(`| ${experimentTitles[key] ?? key} | ${row.concurrency} | ${row.name} | ${n0(row.stats.throughput)} | ${ms(row.stats.p50)} / ${ms(row.stats.p95)} | ${wal} | ${change} |`);
    }
  }
  return lines.join('\n');
}

// ---- SVG chart ------------------------------------------------------------------------------------

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal grouped bars on a log scale (throughputs span four orders of magnitude). */
export function throughputSvg(r: DbResults): string {
  const series = [
    { key: 'huza', label: 'Huza in-process (handleFhirRequest)', color: '#1f77b4' },
    { key: 'http', label: 'Huza over HTTP (separate client process)', color: '#2ca02c' },
    { key: 'baseline', label: 'Baseline: the same SQL, driver only', color: '#8c8c8c' },
  ] as const;
  const hasHttp = r.results.some((x) => x.http);
  const shown = series.filter((s) => s.key !== 'http' || hasHttp);
  const barH = 11;
  const barGap = 2;
  const groupGap = 10;
  const left = 265;
  const right = 90;
  const width = 980;
  const plotW = width - left - right;
  const top = 74;
  const values = r.results.flatMap((x) => shown.map((s) => x[s.key]?.throughput ?? Number.NaN)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...values))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const xOf = (v: number) => left + (plotW * (Math.log10(v) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const groupH = shown.length * (barH + barGap);
  const body: string[] = [];
  let y = top;
  let lastScenario = '';
  for (const x of r.results) {
    if (x.scenario !== lastScenario) {
      if (lastScenario) y += 6;
      body.push(`<text x="8" y="${y + 10}" font-weight="bold">${esc(scenarioLabels[x.scenario])}</text>`);
      lastScenario = x.scenario;
    }
    body.push(`<text x="${left - 8}" y="${y + groupH / 2 + 4}" text-anchor="end">${x.concurrency} client${x.concurrency > 1 ? 's' : ''}</text>`);
    shown.forEach((s, i) => {
      const v = x[s.key]?.throughput;
      const by = y + i * (barH + barGap);
      if (v === undefined || !(v > 0)) return;
      const w = Math.max(1, xOf(v) - left);
      const ratio = s.key === 'baseline' ? '' : ` (${Math.round((100 * v) / x.baseline.throughput)}%)`;
      body.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${s.color}"><title>${esc(`${s.label}: ${v.toFixed(1)} ops/s${ratio}`)}</title></rect>`);
      body.push(`<text x="${(left + w + 4).toFixed(1)}" y="${by + barH - 2}" font-size="10">${n0(v)}${ratio}</text>`);
    });
    y += groupH + groupGap;
  }
  const height = y + 30;
  const axis: string[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    const tx = xOf(t);
    axis.push(`<line x1="${tx.toFixed(1)}" y1="${top - 6}" x2="${tx.toFixed(1)}" y2="${y - groupGap + 4}" stroke="#ddd"/>`);
    axis.push(`<text x="${tx.toFixed(1)}" y="${y + 10}" text-anchor="middle" font-size="10">${n0(t)}</text>`);
  }
  axis.push(`<text x="${left + plotW / 2}" y="${y + 24}" text-anchor="middle" font-size="11">operations per second (log scale); % = share of the baseline</text>`);
  let lx = 8;
  const legend = shown.map((s) => {
    const item = `<rect x="${lx}" y="40" width="12" height="12" fill="${s.color}"/><text x="${lx + 16}" y="50" font-size="11">${esc(s.label)}</text>`;
    lx += 16 + s.label.length * 6.1 + 18;
    return item;
  });
  const title = `Huza vs baseline throughput: ${dbTitle[r.kind]}, ${n0(r.patients)} patients + ${n0(r.others)} others (median of ${r.reps} × ${r.seconds} s, ${r.date.slice(0, 10)})`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...legend, ...axis, ...body, '</svg>', '',
  ].join('\n');
}

// ---- BENCHMARKS.md --------------------------------------------------------------------------------

const skeleton = `# Benchmarks

${startMarker}
${endMarker}
`;

export async function writeReport(): Promise<string[]> {
  const results: ResultsFile[] = [];
  for (const kind of ['postgres', 'pglite'] as const) {
    const file = `${benchRoot}bench/results/results-${kind}.json`;
    if (existsSync(file)) results.push(JSON.parse(await readFile(file, 'utf8')) as ResultsFile);
  }
  const written: string[] = [];
  for (const r of results) {
    const file = `bench/results/throughput-${r.kind}.svg`;
    await writeFile(`${benchRoot}${file}`, throughputSvg(r));
    written.push(file);
  }
  const generated = [
    startMarker,
    '<!-- Generated by bench/fhir-bench.ts (or `node bench/report.ts`) from bench/results/results-*.json; edits between these markers are overwritten. -->',
    '',
    targets(results.find((r) => r.kind === 'postgres')),
    '',
    ...results.flatMap((r) => [section(r), '']),
    ...(existsSync(`${benchRoot}bench/results/experiments-postgres.json`)
      ? [experiments(JSON.parse(await readFile(`${benchRoot}bench/results/experiments-postgres.json`, 'utf8')) as ExperimentsFile), '']
      : []),
    endMarker,
  ].join('\n');
  const path = `${benchRoot}BENCHMARKS.md`;
  const current = existsSync(path) ? await readFile(path, 'utf8') : skeleton;
  const start = current.indexOf(startMarker);
  const end = current.indexOf(endMarker);
  const next = start >= 0 && end > start
    ? current.slice(0, start) + generated + current.slice(end + endMarker.length)
    : `${current.trimEnd()}\n\n${generated}\n`;
  await writeFile(path, next);
  written.push('BENCHMARKS.md');
  return written;
}

if (import.meta.main) {
  console.log(`wrote ${(await writeReport()).join(', ')}`);
}
