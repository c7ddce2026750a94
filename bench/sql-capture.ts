/**
 * The baseline of each benchmark is "the same SQL, issued directly with the same driver": a Database
 * wrapper records the statements (text, parameters, first result row, transaction boundaries) that one
 * FHIR interaction issues, and a replayer sends exactly those statements again, adjusting only what must
 * differ on each execution (the ids a create assigns, the version an update replaces, write timestamps).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Database, Queryable, QueryResult, SqlValue } from '../src/db/database.ts';
import type { ContentCodec } from '../src/fhir/repository/content-codec.ts';

export type Step =
  | { kind: 'query'; sql: string; params: SqlValue[]; firstRow?: Record<string, unknown> }
  | { kind: 'transaction'; steps: Step[] };

/** Housekeeping the engine runs at most once a minute, whichever request happens to trigger it: not part of an interaction. */
const housekeeping = /^DELETE FROM search_snapshot WHERE created < now\(\)/;

export class CapturingDatabase implements Database {
  private recording: Step[] | undefined;
  readonly inner: Database;

  constructor(inner: Database) {
    this.inner = inner;
  }

  get kind() {
    return this.inner.kind;
  }

  /** Records every statement until stop(); one interaction at a time. */
  start(): void {
    this.recording = [];
  }

  stop(): Step[] {
    const steps = this.recording ?? [];
    this.recording = undefined;
    return steps;
  }

  private record(into: Step[] | undefined, sql: string, params: readonly SqlValue[] | undefined, result: QueryResult<unknown>) {
    if (!into || housekeeping.test(sql)) return;
    into.push({ kind: 'query', sql, params: params ? [...params] : [], firstRow: result.rows[0] as Record<string, unknown> | undefined });
  }

  async query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>> {
    const into = this.recording;
    const result = await this.inner.query<Row>(sql, params);
    this.record(into, sql, params, result);
    return result;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const into = this.recording;
    const steps: Step[] = [];
    const value = await this.inner.transaction((tx) => fn({
      query: async <Row>(sql: string, params?: readonly SqlValue[]) => {
        const result = await tx.query<Row>(sql, params);
        this.record(into && steps, sql, params, result);
        return result;
      },
    }));
    into?.push({ kind: 'transaction', steps });
    return value;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The raw driver a baseline runs on: a pg Pool of its own, or the embedded database's one connection. */
export interface BaselineDriver {
  query(sql: string, params: SqlValue[]): Promise<{ rows: Record<string, unknown>[] }>;
  transaction(fn: (q: (sql: string, params: SqlValue[]) => Promise<{ rows: Record<string, unknown>[] }>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** node-postgres directly: its own Pool of the same size as Huza's, BEGIN/COMMIT on one client for a transaction. */
export function pgDriver(url: string, poolSize: number): BaselineDriver {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  return {
    query: (sql, params) => pool.query(sql, params as unknown[]),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await fn((sql, params) => client.query(sql, params as unknown[]));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * PGlite: one process may own a data folder, and the engine's adapter owns the PGlite instance, so the
 * baseline goes through that adapter's query/transaction, a thin pass-through (one result object per query).
 */
export function adapterDriver(db: Database): BaselineDriver {
  return {
    query: (sql, params) => db.query(sql, params) as Promise<{ rows: Record<string, unknown>[] }>,
    transaction: (fn) => db.transaction((tx) => fn((sql, params) => tx.query(sql, params) as Promise<{ rows: Record<string, unknown>[] }>)),
    close: async () => undefined,
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isWriteVersion(sql: string): boolean {
  return sql.startsWith('WITH r AS (INSERT INTO resource ') || sql.startsWith('WITH r AS (UPDATE resource ');
}

interface Slot {
  index: number;
  kind: 'remap' | 'now' | 'next-version' | 'current-version' | 'content';
}

interface PreparedStep {
  kind: 'query' | 'transaction';
  sql: string;
  params: SqlValue[];
  slots: Slot[];
  steps: PreparedStep[];
  /** A write's content as JSON, re-encoded on each replay for the id and version actually written. */
  json?: string;
}

function containsAny(value: unknown, ids: string[]): boolean {
  if (typeof value === 'string') return ids.some((id) => value.includes(id));
  if (Array.isArray(value)) return value.some((v) => containsAny(v, ids));
  return false;
}

/**
 * One captured interaction made replayable.
 *  - freshIds: ids the server generated during the call (created resources, a search snapshot); each
 *    replay substitutes new UUIDs everywhere they occur, so inserts do not collide with the capture.
 *  - update: the write statement of an update replaces "the version just read": the replay reads it
 *    with the captured SELECT and writes version+1 over it, as the engine does.
 */
export class ReplayableCall {
  private readonly steps: PreparedStep[];
  private readonly ids: string[];
  private readonly idPattern: RegExp | undefined;
  private codec: ContentCodec | undefined;

  /**
   * A replayable call whose writes store content readable by the engine afterwards: content is
   * encrypted at rest and bound to Type/id/_history/version, so each replay encodes it for the id and
   * version it writes (the engine does the same work on every write).
   */
  static async withContent(captured: Step[], freshIds: string[], codec: ContentCodec): Promise<ReplayableCall> {
    const call = new ReplayableCall(captured, freshIds);
    call.codec = codec;
    const visit = async (steps: PreparedStep[]) => {
      for (const step of steps) {
        if (step.kind === 'transaction') await visit(step.steps);
        else if (isWriteVersion(step.sql) && step.params[5] instanceof Uint8Array) {
          const [resourceType, id, versionId] = step.params as [string, string, number];
          step.json = await codec.decode(step.params[5], { resourceType, id, versionId });
          step.slots.push({ index: 5, kind: 'content' });
        }
      }
    };
    await visit(call.steps);
    return call;
  }

  constructor(captured: Step[], freshIds: string[] = []) {
    this.ids = freshIds.filter((id) => uuidPattern.test(id) || id.length >= 8);
    this.idPattern = this.ids.length > 0 ? new RegExp(this.ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined;
    let currentVersion: number | undefined;
    const prepare = (step: Step): PreparedStep => {
      if (step.kind === 'transaction') return { kind: 'transaction', sql: '', params: [], slots: [], steps: step.steps.map(prepare) };
      const slots: Slot[] = [];
      step.params.forEach((value, index) => {
        if (this.ids.length > 0 && containsAny(value, this.ids)) slots.push({ index, kind: 'remap' });
      });
      if (isWriteVersion(step.sql)) {
        slots.push({ index: 3, kind: 'now' });
        if (step.sql.startsWith('WITH r AS (UPDATE') && currentVersion !== undefined) {
          slots.push({ index: 2, kind: 'next-version' });
          const replaces = step.params.findIndex((v, i) => i >= 7 && v === currentVersion);
          if (replaces < 0) throw new Error('update capture: cannot find the replaced version parameter');
          slots.push({ index: replaces, kind: 'current-version' });
        }
      }
      if (/^SELECT version_id, last_updated, deleted, content FROM resource WHERE/.test(step.sql) && step.firstRow) {
        currentVersion = Number(step.firstRow.version_id);
      }
      return { kind: 'query', sql: step.sql, params: step.params, slots, steps: [] };
    };
    this.steps = captured.map(prepare);
  }

  get statementCount(): number {
    const count = (steps: PreparedStep[]): number => steps.reduce((n, s) => n + (s.kind === 'transaction' ? count(s.steps) : 1), 0);
    return count(this.steps);
  }

  /** The generated ids this call's replays replace. */
  get freshIds(): string[] {
    return [...this.ids];
  }

  get statements(): { sql: string; params: SqlValue[] }[] {
    const flat = (steps: PreparedStep[]): { sql: string; params: SqlValue[] }[] =>
      steps.flatMap((s) => (s.kind === 'transaction' ? flat(s.steps) : [{ sql: s.sql, params: s.params }]));
    return flat(this.steps);
  }

  /** Runs the statements again; newId makes the replacement ids (random UUIDv4 by default, as the engine does). */
  async replay(driver: BaselineDriver, newId: () => string = randomUUID): Promise<void> {
    let mapping: Map<string, string> | undefined;
    if (this.ids.length > 0) mapping = new Map(this.ids.map((id) => [id, newId()]));
    const state = { version: undefined as number | undefined };
    const run = async (steps: PreparedStep[], q: (sql: string, params: SqlValue[]) => Promise<{ rows: Record<string, unknown>[] }>) => {
      for (const step of steps) {
        if (step.kind === 'transaction') {
          await driver.transaction((tq) => run(step.steps, tq));
          continue;
        }
        const params = step.slots.length === 0 ? step.params : this.bind(step, mapping, state.version);
        const result = await q(step.sql, params);
        if (step.sql.startsWith('SELECT version_id, last_updated, deleted, content FROM resource WHERE')) {
          state.version = result.rows[0] ? Number(result.rows[0].version_id) : undefined;
        }
      }
    };
    await run(this.steps, (sql, params) => driver.query(sql, params));
  }

  private bind(step: PreparedStep, mapping: Map<string, string> | undefined, version: number | undefined): SqlValue[] {
    const params = [...step.params];
    for (const slot of step.slots) {
      switch (slot.kind) {
        case 'remap':
          params[slot.index] = this.remap(params[slot.index], mapping as Map<string, string>) as SqlValue;
          break;
        case 'now':
          params[slot.index] = new Date();
          break;
        case 'next-version':
          params[slot.index] = (version ?? 0) + 1;
          break;
        case 'current-version':
          params[slot.index] = version ?? 0;
          break;
        case 'content':
          // After the other slots: id and version are those of this replay.
          break;
      }
    }
    if (step.json !== undefined && this.codec) {
      const json = mapping ? (this.remap(step.json, mapping) as string) : step.json;
      params[5] = this.codec.encode(json, { resourceType: params[0] as string, id: params[1] as string, versionId: params[2] as number });
    }
    return params;
  }

  private remap(value: unknown, mapping: Map<string, string>): unknown {
    if (typeof value === 'string') return value.replace(this.idPattern as RegExp, (m) => mapping.get(m) ?? m);
    if (Array.isArray(value)) return value.map((v) => this.remap(v, mapping));
    return value;
  }
}
