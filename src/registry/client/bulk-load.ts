/**
 * Bulk load of source Patients with matching (`huza registry load FILE`, ClientRegistry.loadBulk):
 * the same checks and linking decisions as a Patient written through the API (placement.ts is the
 * one decision code), but for a batch of records at a time:
 *
 *   prepare   validate, identity-domain checks, blocking keys, content encrypted, index rows (per record, CPU)
 *   look up   one SQL for the identifier holders of the whole batch, one for the members of all its
 *             blocks (cr_block ⋈ cr_link on key = ANY(keys)), one for the persons not in memory
 *   decide    record by record in arrival order, over what the database holds plus the records of
 *             this batch and of the batches still being written (the overlay), so that a batch
 *             decides as if each record had been written on its own, one after the other
 *   write     one transaction per batch: resource, history and index rows of sources and golden
 *             records, blocks, links, reviews in multi-row statements; up to `inFlight` batches at
 *             once, each committing only after the one before it did
 *
 * A refused record (bad identifier, identifier claimed by another person, invalid resource) is left
 * out and reported with its row number; the rest of its batch loads. A batch is all or nothing.
 * Records whose id is already stored unchanged are skipped (a re-run loads nothing twice); records
 * that change a stored one, or carry links (merges), go through the per-record write path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Piscina } from 'piscina';
import type { Database, Queryable, SqlValue } from '../../db/database.ts';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import { refuseOn, type FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import { newResourceId } from '../../fhir/repository/new-resource-id.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { writeSource } from '../../fhir/repository/write-source.ts';
import { contentKey, storedJson } from '../../fhir/repository/stored-json.ts';
import { emptyIndexRows, indexTables, type IndexRows } from '../../fhir/search/index-rows.ts';
import type { ClientRegistry } from './client-registry.ts';
import { buildGoldenRecord, goldenSource, isGoldenRecord, newRegistryId, type GoldenSource } from './golden-record.ts';
import { REGISTRY_ID_SYSTEM } from './identifier-authorities.ts';
import { prepareRecords, workerPatientParamCodes, type PrepareBatch, type PreparedRecord } from './bulk-prepare.ts';
import { packPerson, personFromPatient, unpackPerson, type DecisionRules, type MatchModel, type PersonRecord } from './matching/index.ts';
import { choosePlacement, matchByIdentifiers, maxCandidates, rankCandidates, reviewFields, type IdentifierHolder, type PlacedSource } from './placement.ts';
import { registryErrors } from './registry-errors.ts';
import { registryStore, type LinkMethod } from './registry-store.ts';

/** A line of the input that is not JSON: reported as a refused row. */
export class UnparsableRow {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export interface BulkLoadOptions {
  /** Records per batch (one transaction each); default 1000. */
  batchSize?: number;
  /** Batches being written at once; default 2 (PGlite serialises them anyway). */
  inFlight?: number;
  /** The system the records come from (identity-domain assigner checks, decided_by); default 'huza'. */
  source?: string;
  /** Persons of placed records kept in memory to spare reading and decrypting candidates; default 3 million. */
  cacheSize?: number;
  /**
   * Golden records written by this load kept in memory (as JSON, ~4 KB each) for their next update, which
   * then reads and decrypts nothing; default: what a quarter of the heap holds, at most 1 million.
   */
  goldenCacheSize?: number;
  /**
   * Worker threads preparing records (validation, index rows, blocking keys) while the main thread
   * decides and writes; default one less than the machine's cores, at least 1. 0: all on the main thread.
   */
  workers?: number;
  /** Records created before the planner's statistics of the tables it grows are first refreshed (then at each doubling); default 5000. */
  analyzeAfter?: number;
  onProgress?(progress: BulkProgress): void;
}

export interface BulkProgress {
  rows: number;
  created: number;
  refused: number;
}

export interface RowError {
  /** 1-based position in the input (the line of an NDJSON file). */
  row: number;
  id?: string;
  status: number;
  message: string;
  expression?: string[];
}

export interface BulkLoadReport {
  rows: number;
  /** Source records stored and placed by the bulk path. */
  created: number;
  /** Already stored with the same content: nothing done. */
  unchanged: number;
  /** Changed or merging records, written through the per-record path. */
  updated: number;
  refused: RowError[];
  links: Record<'identifier' | 'probabilistic' | 'new', number>;
  reviews: number;
  goldensCreated: number;
  goldensUpdated: number;
  batches: number;
  seconds: number;
}

type PatientJson = FhirResource & { identifier?: { system?: string; value?: string }[]; link?: unknown[] };

interface Prepared {
  row: number;
  id: string;
  /** As stored (meta.versionId 1, lastUpdated). */
  stored: PatientJson;
  content: Uint8Array;
  rows: IndexRows;
  person: PersonRecord;
  /** `person` packed (packPerson), as the person cache keeps it. */
  packedPerson: string;
  keys: string[];
  /** Person-unique identifiers: position in Patient.identifier and `system|value`. */
  uniqueIds: { index: number; system: string; value: string }[];
}

/** A batch read from the input: the rows worth preparing, and their preparation under way. */
interface Parsed {
  candidates: { row: number; resource: PatientJson; id: string }[];
  /** Results of the candidates without links, in their order. */
  work: Promise<PreparedRecord[]>;
  /**
   * The batch's instant: meta.lastUpdated of its sources (set in the workers), of the golden records it
   * writes, and the last_updated of all their rows, so that survivorship's "most recent source" reads
   * the same from memory as from the database.
   */
  lastUpdated: Date;
}

const workerFile = new URL('./bulk-prepare-worker.ts', import.meta.url).href;

interface Lookup {
  /** Committed batches the lookups see. */
  sweepable: number[];
  rows: Promise<[Awaited<ReturnType<typeof registryStore.holdersOfMany>>, Awaited<ReturnType<typeof registryStore.blockMembers>>, Awaited<ReturnType<typeof registryStore.notDuplicatesOf>>]>;
}

interface Placed extends Prepared {
  goldenId: string;
  method: LinkMethod;
  score: number | null;
}


interface GoldenState {
  versionId: number;
  registryId: string;
  sources: GoldenSource[];
  /** The batch that last wrote it. */
  batch: number;
  /** The search index rows of its current version. */
  rows: IndexRows;
}

interface GoldenWrite {
  id: string;
  versionId: number;
  content: Uint8Array;
  rows: IndexRows;
  /** Updates: the index rows of the version replaced. */
  previousRows?: IndexRows;
}

interface BatchWrite {
  seq: number;
  lastUpdated: Date;
  sources: Placed[];
  goldensNew: GoldenWrite[];
  goldensUpdated: GoldenWrite[];
  reviews: { sourceId: string; candidateId: string; score: number; fields: unknown }[];
}

const idShape = /^[A-Za-z0-9\-.]{1,64}$/;

function rowError(row: number, id: string | undefined, error: unknown): RowError {
  if (error instanceof FhirError) {
    const expression = error.issues.flatMap((i) => i.expression ?? []);
    return { row, ...(id ? { id } : {}), status: error.status, message: error.message, ...(expression.length > 0 ? { expression } : {}) };
  }
  throw error;
}


/** Records of this batch and of batches not yet committed, as later lookups must see them. */
class Overlay {
  readonly byKey = new Map<string, { source: PlacedSource; batch: number }[]>();
  readonly byIdentifier = new Map<string, { source: PlacedSource; batch: number }[]>();
  readonly goldens = new Map<string, GoldenState>();
  private readonly added = new Map<number, { keys: string[]; ids: string[] }>();

  add(batch: number, p: Placed): void {
    const source: PlacedSource = { sourceId: p.id, goldenId: p.goldenId, person: p.person };
    let mine = this.added.get(batch);
    if (!mine) this.added.set(batch, mine = { keys: [], ids: [] });
    for (const k of p.keys) {
      const list = this.byKey.get(k);
      if (list) list.push({ source, batch });
      else this.byKey.set(k, [{ source, batch }]);
      mine.keys.push(k);
    }
    for (const u of p.uniqueIds) {
      const key = `${u.system}|${u.value}`;
      const list = this.byIdentifier.get(key);
      if (list) list.push({ source, batch });
      else this.byIdentifier.set(key, [{ source, batch }]);
      mine.ids.push(key);
    }
  }

  /** A committed batch is in the database now: lookups find it there. Returns the golden records it wrote last. */
  remove(batch: number): [string, GoldenState][] {
    const mine = this.added.get(batch);
    if (mine) {
      for (const [map, keys] of [[this.byKey, mine.keys], [this.byIdentifier, mine.ids]] as const) {
        for (const k of keys) {
          const rest = map.get(k)?.filter((e) => e.batch !== batch);
          if (rest && rest.length > 0) map.set(k, rest);
          else map.delete(k);
        }
      }
      this.added.delete(batch);
    }
    const retired: [string, GoldenState][] = [];
    for (const [id, g] of this.goldens) {
      if (g.batch !== batch) continue;
      this.goldens.delete(id);
      retired.push([id, g]);
    }
    return retired;
  }
}

/**
 * Golden records of committed batches as their next update needs them: without this, adding a source
 * to a person read and decrypted the golden record and all its sources and re-derived its index rows.
 * Kept as JSON strings, which the garbage collector does not walk, oldest out first. A golden record
 * changed by something else meanwhile is caught by the version check of the update (the load stops).
 */
class GoldenCache {
  private readonly entries = new Map<string, string>();
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  put(id: string, state: GoldenState): void {
    if (this.size <= 0) return;
    this.entries.delete(id);
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, JSON.stringify({ versionId: state.versionId, registryId: state.registryId, sources: state.sources, rows: state.rows }));
  }

  /** The state, which leaves the cache (the batch now updating it holds it in the overlay). */
  take(id: string, batch: number): GoldenState | undefined {
    const json = this.entries.get(id);
    if (json === undefined) return undefined;
    this.entries.delete(id);
    const state = JSON.parse(json) as GoldenState;
    for (const row of state.rows.date) {
      row.low = row.low === null ? null : new Date(row.low);
      row.high = row.high === null ? null : new Date(row.high);
    }
    return { ...state, batch };
  }

  clear(): void {
    this.entries.clear();
  }
}

function defaultGoldenCacheSize(): number {
  return Math.min(1_000_000, Math.floor(getHeapStatistics().heap_size_limit / 4 / 4096));
}

export class BulkLoader {
  private readonly overlay = new Overlay();
  /** Persons of placed records, packed (packed-person.ts): strings keep a million of them off the collector's back. */
  private readonly persons = new Map<string, string>();
  private readonly goldenCache: GoldenCache;
  private lastInstant = 0;
  /** Records created after which the planner's statistics are refreshed next (refreshStatistics). */
  private nextAnalyze: number;
  private readonly committed: number[] = [];
  private readonly runIds = new Set<string>();
  private readonly cacheSize: number;
  private readonly batchSize: number;
  private readonly inFlight: number;
  private readonly source: string;
  private settings!: { rules: DecisionRules; rulesVersion: number; model: MatchModel };
  private readonly report: BulkLoadReport = {
    rows: 0, created: 0, unchanged: 0, updated: 0, refused: [], links: { identifier: 0, probabilistic: 0, new: 0 },
    reviews: 0, goldensCreated: 0, goldensUpdated: 0, batches: 0, seconds: 0,
  };

  private readonly registry: ClientRegistry;
  private readonly repo: FhirRepository;
  private readonly options: BulkLoadOptions;
  private pool: Piscina | undefined;
  private inThreadContext: Parameters<typeof prepareRecords>[0] | undefined;

  constructor(registry: ClientRegistry, repo: FhirRepository, options: BulkLoadOptions = {}) {
    if (repo.inTransaction) throw new Error('a bulk load opens its own transactions: give it the root repository');
    this.registry = registry;
    this.repo = repo;
    this.options = options;
    this.batchSize = options.batchSize ?? 1000;
    this.inFlight = Math.max(1, options.inFlight ?? 2);
    this.source = options.source ?? 'huza';
    this.cacheSize = options.cacheSize ?? 3_000_000;
    this.goldenCache = new GoldenCache(options.goldenCacheSize ?? defaultGoldenCacheSize());
    this.nextAnalyze = options.analyzeAfter ?? 5_000;
  }

  private get db(): Database {
    return this.repo.db;
  }

  async load(records: AsyncIterable<unknown> | Iterable<unknown>): Promise<BulkLoadReport> {
    const started = performance.now();
    this.settings = await this.registry.settings(this.repo);
    const workers = this.options.workers ?? Math.max(1, availableParallelism() - 1);
    this.pool = workers > 0 && this.workersIndexLikeRepository() ? new Piscina({ filename: workerFile, minThreads: workers, maxThreads: workers }) : undefined;
    const writes = new Set<Promise<void>>();
    let previous: Promise<void> = Promise.resolve();
    let failure: unknown;
    let seq = 0;
    let statistics: Promise<void> = Promise.resolve();
    const flush = async () => {
      await Promise.allSettled([...writes]);
      await statistics;
      if (failure !== undefined) throw failure;
      this.sweep();
    };
    const run = async (parsed: Parsed) => {
      const n = ++seq;
      const { prepared, fallback } = await this.prepare(parsed);
      const lookup = this.lookUp(prepared);
      // The lookups run while the oldest batch in flight finishes writing.
      while (writes.size >= this.inFlight) await Promise.race(writes);
      if (failure !== undefined) throw failure;
      const plan = await this.decide(n, prepared, lookup, parsed.lastUpdated);
      const before = previous;
      const write = this.write(plan, before).then(() => {
        this.committed.push(n);
        this.report.batches++;
        this.report.created += plan.sources.length;
        if (this.report.created >= this.nextAnalyze) {
          this.nextAnalyze = 2 * this.report.created;
          // Beside the batches, not in their chain: the next commit need not wait for it.
          statistics = statistics.then(() => this.refreshStatistics()).catch((error) => { failure ??= error; });
        }
        this.options.onProgress?.({ rows: this.report.rows, created: this.report.created, refused: this.report.refused.length });
      });
      previous = write;
      const tracked = write.catch((error) => { failure ??= error; }).finally(() => writes.delete(tracked));
      writes.add(tracked);
      if (fallback.length > 0) {
        await flush();
        await this.perRecord(fallback);
        // Those writes may have changed golden records this load holds.
        this.goldenCache.clear();
      }
    };
    // Batches are handed to the workers as they are read, up to one per worker ahead of the batch
    // being decided, so that preparing, deciding and writing overlap.
    const ahead: Parsed[] = [];
    const aheadLimit = Math.max(1, workers);
    try {
      await writeSource.run(this.source, async () => {
        let batch: { row: number; value: unknown }[] = [];
        let row = 0;
        for await (const value of records as AsyncIterable<unknown>) {
          batch.push({ row: ++row, value });
          if (batch.length >= this.batchSize) {
            ahead.push(this.parse(batch));
            batch = [];
            if (ahead.length > aheadLimit) await run(ahead.shift()!);
            // PGlite answers as microtasks: let timers (a progress bar) run between batches.
            await new Promise((resolve) => setImmediate(resolve));
          }
        }
        if (batch.length > 0) ahead.push(this.parse(batch));
        while (ahead.length > 0) await run(ahead.shift()!);
        await flush();
      });
    } finally {
      // Batches read ahead of a failure still have work in the workers: let it end before they stop.
      await Promise.allSettled(ahead.map((a) => a.work));
      await this.pool?.destroy();
      this.pool = undefined;
    }
    this.report.seconds = (performance.now() - started) / 1000;
    this.report.refused.sort((a, b) => a.row - b.row);
    return this.report;
  }

  /**
   * ANALYZE of the tables the load grows, each time the records it created double. The statements of
   * a batch are planned from these statistics: planned from those of a registry hundreds of times
   * smaller (a table analyzed before the load, or never), the index-row delete and the golden-record
   * update scanned every Patient row per batch, a cost that grew with the registry; autovacuum, when
   * it is on at all, analyzes a table that grows fast too late.
   */
  private async refreshStatistics(): Promise<void> {
    await this.db.query(`ANALYZE resource, resource_history, ${indexTableNames.join(', ')}, cr_block, cr_link, cr_link_history`);
  }

  /** Workers index with the R4 Patient search parameters: only when the repository has no others. */
  private workersIndexLikeRepository(): boolean {
    const mine = [...this.repo.options.searchParameters.forType('Patient').keys()].sort();
    const r4 = workerPatientParamCodes();
    return mine.length === r4.length && mine.every((c, i) => c === r4[i]);
  }

  /** Committed batches (all, or those a lookup saw) leave the overlay: lookups find them in the database. */
  private sweep(batches: readonly number[] = [...this.committed]): void {
    const gone = new Set(batches);
    for (const n of gone) for (const [id, state] of this.overlay.remove(n)) this.goldenCache.put(id, state);
    this.committed.splice(0, this.committed.length, ...this.committed.filter((n) => !gone.has(n)));
  }

  private remember(id: string, packed: string): void {
    if (this.persons.size >= this.cacheSize) this.persons.delete(this.persons.keys().next().value as string);
    this.persons.set(id, packed);
  }

  /**
   * The checks that need nothing but the row (JSON, a Patient, a valid id), then the preparation of
   * the rest (bulk-prepare.ts) started in a worker thread.
   */
  private parse(batch: { row: number; value: unknown }[]): Parsed {
    this.report.rows += batch.length;
    const candidates: Parsed['candidates'] = [];
    for (const { row, value } of batch) {
      if (value instanceof UnparsableRow) {
        this.report.refused.push({ row, status: 400, message: `not JSON: ${value.message}` });
        continue;
      }
      const resource = value as PatientJson;
      const given = typeof resource?.id === 'string' ? resource.id : undefined;
      try {
        if (resource?.resourceType !== 'Patient') throw new FhirError(400, [{ severity: 'error', code: 'invalid', diagnostics: 'each line must be a FHIR Patient' }]);
        // Without an id, the content names the record, so that loading the same file again loads nothing twice.
        const id = given ?? createHash('sha256').update(contentKey(resource)).digest('hex').slice(0, 32);
        if (!idShape.test(id)) throw new FhirError(400, [{ severity: 'error', code: 'value', diagnostics: `invalid id '${id}'`, expression: ['Patient.id'] }]);
        candidates.push({ row, resource: { ...resource, id }, id });
      } catch (error) {
        this.report.refused.push(rowError(row, given, error));
      }
    }
    // Strictly after the batch before: two batches read within a millisecond keep their order.
    const lastUpdated = new Date(Math.max(Date.now(), this.lastInstant + 1));
    this.lastInstant = lastUpdated.getTime();
    const job: PrepareBatch = {
      records: candidates.filter((c) => c.resource.link === undefined).map(({ resource, id }) => ({ resource, id })),
      lastUpdated: lastUpdated.toISOString(),
      requiredBindings: !this.repo.options.validateCodes,
    };
    const work: Promise<PreparedRecord[]> = this.pool ? this.pool.run(job) : Promise.resolve().then(() => prepareRecords(this.inThread(), job));
    // A failure is seen when the batch's turn comes (run); until then it must not count as unhandled.
    work.catch(() => undefined);
    return { candidates, work, lastUpdated };
  }

  private inThread() {
    return this.inThreadContext ??= {
      validate: (resource: FhirResource, options: { requiredBindings: boolean }) => this.repo.options.validate?.(resource, options) ?? [],
      patientParams: [...this.repo.options.searchParameters.forType('Patient').values()],
    };
  }

  /** The identity-domain checks and the rest of what each record needs, on the main thread, in input order. */
  private async prepare({ candidates, work }: Parsed): Promise<{ prepared: Prepared[]; fallback: { row: number; resource: FhirResource }[] }> {
    // Records already stored: unchanged ones are skipped, changed ones take the per-record path.
    const fallback: { row: number; resource: FhirResource }[] = [];
    const ids = candidates.map((c) => c.id);
    // The lookup runs while the records are checked (most are new: the work is rarely wasted).
    const lookup = ids.length === 0 ? Promise.resolve([]) : this.repo.sql.query<{ id: string; version_id: number; content: Uint8Array | null; deleted: boolean }>(
      `SELECT id, version_id, content, deleted FROM resource WHERE resource_type = 'Patient' AND id = ANY($1::text[])`, [ids]).then((r) => r.rows);
    const done = await work;
    const outcomes: (Prepared | { error: unknown } | 'fallback')[] = [];
    let next = 0;
    for (const { row, resource, id } of candidates) {
      if (resource.link !== undefined) {
        outcomes.push('fallback');
        continue;
      }
      const ready = done[next++];
      try {
        const codeIssues = this.repo.options.validateCodes ? await this.repo.options.validateCodes(this.repo, resource) : [];
        // What repo.validateForWrite decides, with the structural half done in a worker.
        refuseOn([...ready.issues, ...codeIssues]);
        if (isGoldenRecord(resource)) throw registryErrors.goldenIsRegistryOwned();
        await this.registry.checkSourceRecord(this.repo, resource);
        outcomes.push(await this.prepareOne(row, id, resource, ready));
      } catch (error) {
        outcomes.push({ error });
      }
    }
    const existing = new Map((await lookup).map((r) => [r.id, r]));
    const prepared: Prepared[] = [];
    for (const [i, { row, resource, id }] of candidates.entries()) {
      const outcome = outcomes[i];
      const current = existing.get(id);
      if (current || this.runIds.has(id)) {
        if (current && !current.deleted && current.content) {
          const json = await this.repo.decode({ resourceType: 'Patient', id, versionId: current.version_id }, current.content);
          if (json !== null && contentKey(JSON.parse(json)) === contentKey(resource)) {
            this.report.unchanged++;
            continue;
          }
        }
        fallback.push({ row, resource });
      } else if (outcome === 'fallback') {
        fallback.push({ row, resource });
      } else if ('error' in outcome) {
        this.report.refused.push(rowError(row, id, outcome.error));
      } else {
        this.runIds.add(id);
        prepared.push(outcome);
      }
    }
    return { prepared, fallback };
  }

  private async prepareOne(row: number, id: string, resource: PatientJson, ready: PreparedRecord): Promise<Prepared> {
    const uniqueIds: Prepared['uniqueIds'] = [];
    for (const [index, i] of (resource.identifier ?? []).entries()) {
      if (!i.system || !i.value || i.system === REGISTRY_ID_SYSTEM) continue;
      if ((await this.registry.authorities.find(this.repo, i.system))?.personUnique) uniqueIds.push({ index, system: i.system, value: i.value });
    }
    return {
      row, id, stored: ready.stored as PatientJson, person: unpackPerson(ready.person), packedPerson: ready.person, keys: ready.keys, uniqueIds, rows: ready.rows,
      content: this.repo.options.content.encode(ready.json, { resourceType: 'Patient', id, versionId: 1 }),
    };
  }

  /**
   * The batch's three lookups, started before its turn to be decided so that they run while the
   * batches before it are written. What they cannot see (batches not committed when they start)
   * stays in the overlay until the batch is decided: `sweepable` are the batches they do see.
   */
  private lookUp(batch: Prepared[]): Lookup {
    const sweepable = [...this.committed];
    const pairs = new Map<string, { system: string; value: string }>();
    for (const p of batch) for (const u of p.uniqueIds) pairs.set(`${u.system}|${u.value}`, u);
    const keys = [...new Set(batch.flatMap((p) => p.keys))];
    const sql = this.repo.sql;
    const rows = Promise.all([
      registryStore.holdersOfMany(sql, [...pairs.values()].map((u) => u.system), [...pairs.values()].map((u) => u.value)),
      registryStore.blockMembers(sql, keys),
      registryStore.notDuplicatesOf(sql, batch.map((p) => p.id)),
    ]);
    // A failure is seen when the batch is decided; until then it must not count as unhandled.
    rows.catch(() => undefined);
    return { sweepable, rows };
  }

  /** Places each record of the batch in order, over what its lookups found and the overlay. */
  private async decide(seq: number, batch: Prepared[], lookup: Lookup, lastUpdated: Date): Promise<BatchWrite> {
    this.sweep(lookup.sweepable);
    const { rules, rulesVersion, model } = this.settings;
    const [holderRows, memberRows, apart] = await lookup.rows;
    const holdersOf = new Map<string, { sourceId: string; goldenId: string }[]>();
    for (const h of holderRows) {
      const k = `${h.system}|${h.code}`;
      const list = holdersOf.get(k) ?? [];
      list.push({ sourceId: h.source_id, goldenId: h.golden_id });
      holdersOf.set(k, list);
    }
    const membersOf = new Map<string, { sourceId: string; goldenId: string }[]>();
    for (const m of memberRows) {
      const list = membersOf.get(m.key) ?? [];
      list.push({ sourceId: m.source_id, goldenId: m.golden_id });
      membersOf.set(m.key, list);
    }
    const persons = await this.personsOf([...holderRows.map((h) => h.source_id), ...memberRows.map((m) => m.source_id)]);
    const placedFromDb = (sourceId: string, goldenId: string): PlacedSource | undefined => {
      const person = persons.get(sourceId);
      return person ? { sourceId, goldenId, person } : undefined;
    };

    const placed: Placed[] = [];
    const reviews: BatchWrite['reviews'] = [];
    for (const p of batch) {
      // Identifier holders, in the order of the record's identifiers (database, then overlay; each source once).
      const holders: IdentifierHolder[] = [];
      const seen = new Set<string>([p.id]);
      for (const u of p.uniqueIds) {
        const key = `${u.system}|${u.value}`;
        const found = [
          ...(holdersOf.get(key) ?? []).map((h) => placedFromDb(h.sourceId, h.goldenId)),
          ...(this.overlay.byIdentifier.get(key) ?? []).map((e) => e.source),
        ];
        for (const s of found) {
          if (!s || seen.has(`${u.index}\u0000${s.sourceId}`) || s.sourceId === p.id) continue;
          seen.add(`${u.index}\u0000${s.sourceId}`);
          holders.push({ index: u.index, source: s });
        }
      }
      const byIdentifier = matchByIdentifiers(p.person, holders, model, rules);
      if (byIdentifier.kind === 'conflict') {
        const id = p.stored.identifier![byIdentifier.index];
        this.report.refused.push(rowError(p.row, p.id, registryErrors.identifierConflict(id.system!, id.value!, `Patient/${byIdentifier.goldenId}`, `Patient.identifier[${byIdentifier.index}]`)));
        this.runIds.delete(p.id);
        continue;
      }
      let scored: ReturnType<typeof rankCandidates> = [];
      if (byIdentifier.kind === 'none') {
        // Blocking candidates as registryStore.candidates ranks them: most shared keys first, then id, capped.
        const shared = new Map<string, { source: PlacedSource; keys: Set<string> }>();
        for (const k of p.keys) {
          const found = [
            ...(membersOf.get(k) ?? []).map((m) => placedFromDb(m.sourceId, m.goldenId)),
            ...(this.overlay.byKey.get(k) ?? []).map((e) => e.source),
          ];
          for (const s of found) {
            if (!s || s.sourceId === p.id) continue;
            const entry = shared.get(s.sourceId);
            if (entry) entry.keys.add(k);
            else shared.set(s.sourceId, { source: s, keys: new Set([k]) });
          }
        }
        const ranked = [...shared.values()]
          .sort((a, b) => b.keys.size - a.keys.size || (a.source.sourceId < b.source.sourceId ? -1 : a.source.sourceId > b.source.sourceId ? 1 : 0))
          .slice(0, maxCandidates).map((e) => e.source);
        scored = rankCandidates(p.person, ranked, model, rules, (c) => apart.has(`${p.id}\u0000${c.sourceId}`));
      }
      const placement = choosePlacement(byIdentifier, scored, undefined);
      const done: Placed = { ...p, goldenId: placement.goldenId ?? `cr-${newResourceId()}`, method: placement.method, score: placement.score };
      placed.push(done);
      this.overlay.add(seq, done);
      this.remember(p.id, p.packedPerson);
      this.report.links[placement.method as 'identifier' | 'probabilistic' | 'new']++;
      for (const r of placement.reviews) reviews.push({ sourceId: p.id, candidateId: r.sourceId, score: r.comparison.score, fields: reviewFields(r) });
    }
    this.report.reviews += reviews.length;
    void rulesVersion;
    return { seq, lastUpdated, sources: placed, ...(await this.goldens(seq, placed, lastUpdated)), reviews };
  }

  /** Persons of placed records, from memory, and those not in memory in one read (and decryption) for the batch. */
  private async personsOf(ids: string[]): Promise<Map<string, PersonRecord>> {
    const persons = new Map<string, PersonRecord>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const packed = this.persons.get(id);
      if (packed === undefined) missing.push(id);
      else persons.set(id, unpackPerson(packed));
    }
    if (missing.length === 0) return persons;
    for (const v of await this.repo.readMany(missing.map((id) => ({ type: 'Patient', id })))) {
      // Packing derives the name forms on the person itself: it is used as it is, not unpacked again.
      const person = personFromPatient(JSON.parse(v.json as string));
      this.remember(v.id, packPerson(person));
      persons.set(v.id, person);
    }
    return persons;
  }

  /** Each golden record the batch touches, rebuilt once from all its sources. */
  private async goldens(seq: number, placed: Placed[], lastUpdated: Date): Promise<{ goldensNew: GoldenWrite[]; goldensUpdated: GoldenWrite[] }> {
    const added = new Map<string, Placed[]>();
    for (const p of placed) {
      const list = added.get(p.goldenId) ?? [];
      list.push(p);
      added.set(p.goldenId, list);
    }
    // Golden records neither created by this batch nor held by the overlay are read from the database.
    const fromDb = [...added.keys()].filter((g) => !this.overlay.goldens.has(g) && !this.goldenCache.has(g) && !added.get(g)!.some((p) => p.method === 'new' && p.goldenId === g));
    const states = new Map<string, GoldenState>();
    if (fromDb.length > 0) {
      const [goldens, links] = await Promise.all([
        this.repo.readMany(fromDb.map((id) => ({ type: 'Patient', id }))),
        registryStore.linksOfGoldens(this.repo.sql, fromDb),
      ]);
      const sources = new Map((await this.repo.readMany(links.map((l) => ({ type: 'Patient', id: l.source_id })))).map((v) => [v.id, v]));
      const linksOf = new Map<string, string[]>();
      for (const l of links) if (sources.has(l.source_id)) linksOf.set(l.golden_id, [...(linksOf.get(l.golden_id) ?? []), l.source_id]);
      for (const g of goldens) {
        const golden = JSON.parse(g.json as string) as PatientJson;
        states.set(g.id, {
          versionId: g.versionId, batch: seq,
          registryId: golden.identifier?.find((i) => i.system === REGISTRY_ID_SYSTEM)?.value ?? newRegistryId(randomBytes(11)),
          sources: (linksOf.get(g.id) ?? []).map((id) => goldenSource(sources.get(id)!)),
          rows: this.repo.indexRows(golden),
        });
      }
    }
    const goldensNew: GoldenWrite[] = [];
    const goldensUpdated: GoldenWrite[] = [];
    for (const [goldenId, list] of added) {
      const known = this.overlay.goldens.get(goldenId) ?? this.goldenCache.take(goldenId, seq) ?? states.get(goldenId);
      const state: GoldenState = known
        ? { ...known, sources: [...known.sources] }
        : { versionId: 0, registryId: newRegistryId(randomBytes(11)), sources: [], batch: seq, rows: emptyIndexRows() };
      for (const p of list) state.sources.push({ id: p.id, lastUpdated: p.stored.meta!.lastUpdated as string, resource: p.stored });
      state.versionId++;
      state.batch = seq;
      this.overlay.goldens.set(goldenId, state);
      const golden = buildGoldenRecord(goldenId, state.registryId, state.sources);
      const { json } = storedJson(golden, goldenId, state.versionId, lastUpdated);
      const write: GoldenWrite = {
        id: goldenId, versionId: state.versionId,
        content: this.repo.options.content.encode(json, { resourceType: 'Patient', id: goldenId, versionId: state.versionId }),
        rows: this.repo.indexRows(golden),
        ...(known ? { previousRows: known.rows } : {}),
      };
      state.rows = write.rows;
      (state.versionId === 1 ? goldensNew : goldensUpdated).push(write);
    }
    this.report.goldensCreated += goldensNew.length;
    this.report.goldensUpdated += goldensUpdated.length;
    return { goldensNew, goldensUpdated };
  }

  /** One transaction: everything the batch decided, committed only after the batch before it. */
  private async write(plan: BatchWrite, before: Promise<void>): Promise<void> {
    const { rulesVersion } = this.settings;
    await this.db.transaction(async (tx) => {
      const created = [
        ...plan.sources.map((s) => ({ id: s.id, versionId: 1, content: s.content, rows: s.rows })),
        ...plan.goldensNew,
      ];
      await insertVersions(tx, created, plan.lastUpdated, 'POST');
      await registryStore.insertBlocks(tx, plan.sources.flatMap((s) => s.keys), plan.sources.flatMap((s) => s.keys.map(() => s.id)));
      await registryStore.insertLinks(tx, plan.sources.map((s) => ({ source_id: s.id, golden_id: s.goldenId, method: s.method, score: s.score, rulesVersion })), this.source);
      await registryStore.openReviews(tx, plan.reviews, rulesVersion);
      // Decisions of this batch may rest on the one before (golden records it created or changed):
      // update them, and commit, only once it has committed.
      await before;
      if (plan.goldensUpdated.length > 0) {
        const u = plan.goldensUpdated;
        const r = await tx.query(
          `UPDATE resource r SET version_id = u.v, last_updated = $4, content = substring($3::bytea FROM u.o FOR u.n)
           FROM unnest($1::text[], $2::int[], $5::int[], $6::int[]) AS u(i, v, o, n)
           WHERE r.resource_type = 'Patient' AND r.id = ANY($1::text[]) AND r.id = u.i AND r.version_id = u.v - 1 AND NOT r.deleted`,
          [u.map((g) => g.id), u.map((g) => g.versionId), ...packed(u.map((g) => g.content), plan.lastUpdated)]);
        if (r.rowCount !== u.length) throw new Error(`golden records changed while the batch was written (${r.rowCount} of ${u.length} updated): run the load again`);
        await insertHistory(tx, u, plan.lastUpdated, 'PUT');
        await replaceIndexRows(tx, u);
      }
    });
  }

  /** Records the bulk path does not write itself, through the Patient write hook, one by one. */
  private async perRecord(records: { row: number; resource: FhirResource }[]): Promise<void> {
    for (const { row, resource } of records) {
      try {
        const before = (await this.repo.readMany([{ type: 'Patient', id: resource.id as string }]))[0];
        const { version } = await this.repo.update(resource);
        if (before && before.versionId === version.versionId) this.report.unchanged++;
        else this.report.updated++;
      } catch (error) {
        this.report.refused.push(rowError(row, resource.id, error));
      }
    }
  }
}

const indexTableNames = ['sp_string', 'sp_token', 'sp_reference', 'sp_date', 'sp_number', 'sp_quantity', 'sp_uri'];

/**
 * Contents of many rows as one bytea parameter and where each starts (1-based) and how long it is, then
 * `lastUpdated`: parameters $3…$6 of the statements above. The driver sends one Buffer as it is; an
 * array of them it spells out in hex inside an array literal, which both sides then have to parse.
 */
function packed(contents: Uint8Array[], lastUpdated: Date): [Buffer, Date, number[], number[]] {
  const starts: number[] = [];
  let at = 1;
  for (const c of contents) {
    starts.push(at);
    at += c.length;
  }
  return [Buffer.concat(contents), lastUpdated, starts, contents.map((c) => c.length)];
}

async function insertHistory(tx: Queryable, versions: { id: string; versionId: number; content: Uint8Array }[], lastUpdated: Date, method: string): Promise<void> {
  await tx.query(
    `INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, method, content)
     SELECT 'Patient', i, v, $4, false, $7, substring($3::bytea FROM o FOR n) FROM unnest($1::text[], $2::int[], $5::int[], $6::int[]) AS u(i, v, o, n)`,
    [versions.map((v) => v.id), versions.map((v) => v.versionId), ...packed(versions.map((v) => v.content), lastUpdated), method]);
}

/** New resources (version 1): current rows, history rows and index rows, one statement per table. */
async function insertVersions(tx: Queryable, versions: { id: string; versionId: number; content: Uint8Array; rows: IndexRows }[], lastUpdated: Date, method: string): Promise<void> {
  if (versions.length === 0) return;
  await tx.query(
    `INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, content)
     SELECT 'Patient', i, v, $4, false, substring($3::bytea FROM o FOR n) FROM unnest($1::text[], $2::int[], $5::int[], $6::int[]) AS u(i, v, o, n)`,
    [versions.map((v) => v.id), versions.map((v) => v.versionId), ...packed(versions.map((v) => v.content), lastUpdated)]);
  await insertHistory(tx, versions, lastUpdated, method);
  await insertIndexRows(tx, versions);
}

/** Per index table: its columns after resource_type and resource_id, their SQL types and one array of values per column (resource_id first). */
function indexTableColumns(versions: { id: string; rows: IndexRows }[]): [string, string[], string[], SqlValue[]][] {
  const all = <K extends keyof IndexRows>(k: K) => versions.flatMap((v) => v.rows[k].map((r) => ({ id: v.id, r: r as IndexRows[K][number] })));
  const tables: [string, string[], string[], SqlValue[]][] = [];
  const s = all('string');
  tables.push(['sp_string', ['param', 'value', 'exact', 'grp'], ['text', 'text', 'text', 'int'], [s.map((x) => x.id), s.map((x) => x.r.param), s.map((x) => x.r.value), s.map((x) => x.r.exact), s.map((x) => x.r.grp)]]);
  const t = all('token');
  tables.push(['sp_token', ['param', 'system', 'code', 'display', 'grp'], ['text', 'text', 'text', 'text', 'int'], [t.map((x) => x.id), t.map((x) => x.r.param), t.map((x) => x.r.system), t.map((x) => x.r.code), t.map((x) => x.r.display), t.map((x) => x.r.grp)]]);
  const f = all('reference');
  tables.push(['sp_reference', ['param', 'target_type', 'target_id', 'target_version', 'url', 'grp'], ['text', 'text', 'text', 'text', 'text', 'int'],
    [f.map((x) => x.id), f.map((x) => x.r.param), f.map((x) => x.r.targetType), f.map((x) => x.r.targetId), f.map((x) => x.r.targetVersion), f.map((x) => x.r.url), f.map((x) => x.r.grp)]]);
  const d = all('date');
  tables.push(['sp_date', ['param', 'low', 'high', 'grp'], ['text', 'timestamptz', 'timestamptz', 'int'],
    [d.map((x) => x.id), d.map((x) => x.r.param), d.map((x) => x.r.low?.toISOString() ?? null), d.map((x) => x.r.high?.toISOString() ?? null), d.map((x) => x.r.grp)]]);
  const n = all('number');
  tables.push(['sp_number', ['param', 'low', 'high', 'grp'], ['text', 'numeric', 'numeric', 'int'], [n.map((x) => x.id), n.map((x) => x.r.param), n.map((x) => x.r.low), n.map((x) => x.r.high), n.map((x) => x.r.grp)]]);
  const q = all('quantity');
  tables.push(['sp_quantity', ['param', 'system', 'code', 'unit', 'low', 'high', 'grp'], ['text', 'text', 'text', 'text', 'numeric', 'numeric', 'int'],
    [q.map((x) => x.id), q.map((x) => x.r.param), q.map((x) => x.r.system), q.map((x) => x.r.code), q.map((x) => x.r.unit), q.map((x) => x.r.low), q.map((x) => x.r.high), q.map((x) => x.r.grp)]]);
  const u = all('uri');
  tables.push(['sp_uri', ['param', 'value', 'grp'], ['text', 'text', 'int'], [u.map((x) => x.id), u.map((x) => x.r.param), u.map((x) => x.r.value), u.map((x) => x.r.grp)]]);
  return tables;
}

/** The index rows of many resources: the same columns writeVersionSql writes, one statement per table. */
export async function insertIndexRows(tx: Queryable, versions: { id: string; rows: IndexRows }[]): Promise<void> {
  for (const [table, columns, types, arrays] of indexTableColumns(versions)) {
    if ((arrays[0] as unknown[]).length === 0) continue;
    const unnest = arrays.map((_, i) => `$${i + 1}::${i === 0 ? 'text' : types[i - 1]}[]`).join(', ');
    await tx.query(`INSERT INTO ${table} (resource_type, resource_id, ${columns.join(', ')}) SELECT 'Patient', u.* FROM unnest(${unnest}) AS u`, arrays);
  }
}

/** Deletes exactly these index rows (every column equal); returns how many went. */
async function deleteIndexRows(tx: Queryable, versions: { id: string; rows: IndexRows }[]): Promise<number> {
  let deleted = 0;
  for (const [table, columns, types, arrays] of indexTableColumns(versions)) {
    if ((arrays[0] as unknown[]).length === 0) continue;
    const unnest = arrays.map((_, i) => `$${i + 1}::${i === 0 ? 'text' : types[i - 1]}[]`).join(', ');
    // One index probe per resource (a golden record's rows, dead versions included, are visited once),
    // rows matched by their text form (which tells NULL from empty, unlike IN on the columns).
    const ids = [...new Set(arrays[0] as string[])];
    const r = await tx.query(`DELETE FROM ${table} t
      WHERE t.resource_type = 'Patient' AND t.resource_id = ANY($${arrays.length + 1}::text[])
        AND ROW(t.resource_id, ${columns.map((c) => `t.${c}`).join(', ')})::text IN (SELECT ROW(u.*)::text FROM unnest(${unnest}) AS u)`, [...arrays, ids]);
    deleted += r.rowCount ?? 0;
  }
  return deleted;
}

/**
 * Index rows of updated golden records: most updates add a source (a link, an identifier, a name
 * variant), so only the rows that changed are deleted and inserted; rewriting all of them left ~40
 * dead rows per update for vacuum and was the loader's largest cost after the inserts. When the
 * rows in the database are not those of the version replaced (not as many deleted as expected), all
 * of that batch's rows are rewritten.
 */
async function replaceIndexRows(tx: Queryable, goldens: GoldenWrite[]): Promise<void> {
  const removed: { id: string; rows: IndexRows }[] = [];
  const added: { id: string; rows: IndexRows }[] = [];
  let expected = 0;
  let exact = true;
  for (const g of goldens) {
    if (!g.previousRows) {
      exact = false;
      break;
    }
    const diff = diffIndexRows(g.previousRows, g.rows);
    removed.push({ id: g.id, rows: diff.removed });
    added.push({ id: g.id, rows: diff.added });
    expected += diff.count;
  }
  if (exact && (await deleteIndexRows(tx, removed)) === expected) {
    await insertIndexRows(tx, added);
    return;
  }
  for (const table of indexTableNames) await tx.query(`DELETE FROM ${table} WHERE resource_type = 'Patient' AND resource_id = ANY($1::text[])`, [goldens.map((g) => g.id)]);
  await insertIndexRows(tx, goldens);
}

/**
 * What to delete and insert to turn `before` into `after`. A delete by value takes every copy of a
 * row, so a row whose number of copies changes is deleted (all copies: `count` says how many rows go)
 * and inserted as many times as `after` has it.
 */
function diffIndexRows(before: IndexRows, after: IndexRows): { removed: IndexRows; added: IndexRows; count: number } {
  const removed = emptyIndexRows();
  const added = emptyIndexRows();
  let count = 0;
  for (const table of indexTables) {
    const copies = new Map<string, { row: unknown; before: number; after: number }>();
    for (const [rows, side] of [[before[table], 'before'], [after[table], 'after']] as const) {
      for (const row of rows) {
        const k = JSON.stringify(row);
        const entry = copies.get(k) ?? { row, before: 0, after: 0 };
        entry[side]++;
        copies.set(k, entry);
      }
    }
    for (const { row, before: b, after: a } of copies.values()) {
      if (a === b) continue;
      if (b > 0) {
        (removed[table] as unknown[]).push(row);
        count += b;
      }
      for (let n = 0; n < a; n++) (added[table] as unknown[]).push(row);
    }
  }
  return { removed, added, count };
}
