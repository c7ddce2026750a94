/**
 * Bulk loader of the synthetic Rwandan benchmark dataset: N patients and M clinical resources
 * (vital-sign Observations, Encounters, Conditions referring to them), written through the engine's
 * repository (`engine.repo.create`: validation, index rows, content encrypted at rest, one SQL statement
 * per resource) with bounded concurrency and a progress bar.
 *
 *   node bench/load-bench-data.ts [--db postgres|pglite] [--patients N] [--others M] [--concurrency C] [--reload] [--no-validate]
 *
 * PostgreSQL data goes to the database huza_bench; PGlite data to .bench-data/pglite-<N>p-<M>o/.
 * An existing dataset whose manifest and counts match is reused unless --reload is given.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Database } from '../src/db/database.ts';
import type { FhirEngine } from '../src/fhir/fhir-engine.ts';
import {
  countResources, dropDataset, openBenchDatabase, pgliteDatasetExists, readManifest, removeBenchWrites, writeManifest,
  type DatasetSpec, type Manifest,
} from './bench-database.ts';
import { encryptAtRest, openBenchEngine } from './bench-platform.ts';
import { otherResource, patientResource } from './synthetic-data.ts';

export const defaultSizes = {
  postgres: { patients: 100_000, others: 1_000_000 },
  // PGlite is single-connection WASM PostgreSQL: a tenth of the size keeps loading to minutes.
  pglite: { patients: 10_000, others: 100_000 },
} as const;

export const defaultSeed = 20_250_101;

export interface LoadOptions {
  reload: boolean;
  validate: boolean;
  /** Writes in flight at once (PostgreSQL: up to the pool size is useful; PGlite serialises anyway). */
  concurrency: number;
  progress: boolean;
  log: (line: string) => void;
}

export interface LoadedDataset {
  db: Database;
  manifest: Manifest;
  /** True when this call loaded the data (false: reused). */
  loaded: boolean;
}

/** Opens the benchmark dataset, loading it first when it is absent, different in size, or --reload. */
export async function ensureDataset(spec: DatasetSpec, options: LoadOptions): Promise<LoadedDataset> {
  if (options.reload) {
    options.log(`[${spec.kind}] --reload: dropping the existing dataset`);
    await dropDataset(spec);
  }
  if (spec.kind === 'pglite' && !pgliteDatasetExists(spec)) options.log(`[pglite] no dataset yet`);
  let db = await openBenchDatabase(spec);
  const manifest = await readManifest(db);
  if (manifest) {
    const removed = await removeBenchWrites(db);
    if (removed > 0) options.log(`[${spec.kind}] removed ${removed} resources left by an earlier benchmark run`);
    const counts = await countResources(db);
    if (manifest.patients === spec.patients && manifest.others === spec.others && manifest.seed === spec.seed
      && counts.patients === spec.patients && counts.others === spec.others) {
      options.log(`[${spec.kind}] reusing the loaded dataset: ${counts.patients} patients + ${counts.others} other resources (loaded ${manifest.loadedAt} at ${Math.round(manifest.rate)} resources/s)`);
      // Data loaded before encryption at rest existed is encrypted in place first (a no-op once done).
      await encryptAtRest(db, (await openBenchEngine(db, { validate: false })).cipher, options.log);
      return { db, manifest, loaded: false };
    }
    options.log(`[${spec.kind}] dataset differs (manifest ${manifest.patients}+${manifest.others}, found ${counts.patients}+${counts.others}, wanted ${spec.patients}+${spec.others}): reloading`);
  }
  const empty = await countResources(db);
  if (empty.patients + empty.others > 0 || manifest) {
    await db.close();
    await dropDataset(spec);
    db = await openBenchDatabase(spec);
  }
  const loadedManifest = await loadDataset(db, spec, options);
  return { db, manifest: loadedManifest, loaded: true };
}

async function loadDataset(db: Database, spec: DatasetSpec, options: LoadOptions): Promise<Manifest> {
  // As the platform stores it: content encrypted at rest (AES-256-GCM) under the benchmark's key ring.
  const { engine } = await openBenchEngine(db, { validate: options.validate });
  const total = spec.patients + spec.others;
  options.log(`[${spec.kind}] loading ${spec.patients} patients + ${spec.others} other resources through engine.repo.create `
    + `(concurrency ${options.concurrency}, validation ${options.validate ? 'on' : 'off'})`);
  const bar = options.progress
    ? new cliProgress.SingleBar({
      format: `  ${spec.kind} |{bar}| {percentage}% | {value}/{total} resources | {speed} resources/s | ETA {eta_formatted}`,
      hideCursor: true, noTTYOutput: true, notTTYSchedule: 15_000, etaBuffer: 2000,
    }, cliProgress.Presets.shades_classic)
    : undefined;
  const started = performance.now();
  bar?.start(total, 0, { speed: 0 });
  let done = 0;
  const tick = () => {
    done++;
    if (done % 200 === 0 || done === total) bar?.update(done, { speed: Math.round(done / ((performance.now() - started) / 1000)) });
  };
  const patientStart = performance.now();
  await runBounded(spec.patients, options.concurrency, async (i) => {
    const { id, resource } = patientResource(spec.seed, i);
    await engine.repo.create(resource as never, { id });
    tick();
  });
  const patientSeconds = (performance.now() - patientStart) / 1000;
  const otherStart = performance.now();
  await runBounded(spec.others, options.concurrency, async (j) => {
    const { id, resource } = otherResource(spec.seed, j, spec.patients, spec.others);
    await engine.repo.create(resource as never, { id });
    tick();
  });
  const otherSeconds = (performance.now() - otherStart) / 1000;
  bar?.stop();
  const loadSeconds = (performance.now() - started) / 1000;
  const rate = total / loadSeconds;
  options.log(`[${spec.kind}] loaded ${total} resources in ${loadSeconds.toFixed(0)} s: ${Math.round(rate)} resources/s `
    + `(patients ${Math.round(spec.patients / patientSeconds)}/s, others ${Math.round(spec.others / otherSeconds)}/s)`);
  const analyzeStart = performance.now();
  await db.query('VACUUM ANALYZE');
  options.log(`[${spec.kind}] VACUUM ANALYZE in ${((performance.now() - analyzeStart) / 1000).toFixed(0)} s`);
  const manifest: Manifest = {
    patients: spec.patients, others: spec.others, seed: spec.seed, loadSeconds, rate, loadedAt: new Date().toISOString(),
    validated: options.validate, concurrency: options.concurrency,
  };
  await writeManifest(db, manifest);
  return manifest;
}

/** Runs task(0..count-1) with at most `concurrency` in flight; the first failure stops everything. */
export async function runBounded(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined) {
      const i = next++;
      if (i >= count) return;
      // PGlite answers queries as microtasks: without a macrotask turn now and then, timers (the progress bar) never run.
      if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
      try {
        await task(i);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failed !== undefined) throw failed;
}

export type { FhirEngine };

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'postgres' },
      patients: { type: 'string' },
      others: { type: 'string' },
      concurrency: { type: 'string' },
      pool: { type: 'string', default: '16' },
      seed: { type: 'string', default: String(defaultSeed) },
      reload: { type: 'boolean', default: false },
      'no-validate': { type: 'boolean', default: false },
    },
  });
  const kinds = values.db === 'both' ? (['postgres', 'pglite'] as const) : [values.db as 'postgres' | 'pglite'];
  for (const kind of kinds) {
    if (kind !== 'postgres' && kind !== 'pglite') throw new Error(`--db must be postgres, pglite or both, not ${kind}`);
    const poolSize = Number(values.pool);
    const spec: DatasetSpec = {
      kind,
      patients: Number(values.patients ?? defaultSizes[kind].patients),
      others: Number(values.others ?? defaultSizes[kind].others),
      seed: Number(values.seed),
      poolSize,
    };
    const { db } = await ensureDataset(spec, {
      reload: values.reload, validate: !values['no-validate'],
      concurrency: Number(values.concurrency ?? (kind === 'postgres' ? poolSize : 4)),
      progress: true, log: (line) => console.log(line),
    });
    await db.close();
  }
}
