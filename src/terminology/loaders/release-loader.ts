import { createReadStream, statSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import type { Database, Queryable } from '../../db/database.ts';
import type { FhirRepository } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import type { CodeSystemResource, ConceptProperty, Designation } from '../terminology-types.ts';

/** One concept read from a release file, its parent named by code (resolved when the service reads it). */
export interface ReleaseConcept {
  code: string;
  display: string;
  parent?: string;
  property: ConceptProperty[];
  definition?: string;
  designation?: Designation[];
}

/** What a format's parser yields: a concept, or a row it could not use (1-based line number). */
export type ReleaseRow = { line: number; concept: ReleaseConcept } | { line: number; problem: string };

export interface RowProblem {
  line: number;
  problem: string;
}

export interface LoadProgress {
  bytes: number;
  totalBytes: number;
  concepts: number;
}

export interface ReleaseFormat {
  /** Name on the command line: loinc, icd10cm, icd11, icd10. */
  name: string;
  url: string;
  /** Id of the header CodeSystem resource. */
  id: string;
  /** The version when the operator gives none (e.g. from the file name), else undefined. */
  defaultVersion(file: string): string | undefined;
  /** The header resource, without concepts. */
  header(version: string, count: number): CodeSystemResource;
  /** Reads the file as a stream; throws a ReleaseHeaderError before the first row when the header is not this format's. */
  rows(input: Readable): AsyncIterable<ReleaseRow>;
}

/** The file is not in the expected format: refused, nothing stored (checked before the first row). */
export class ReleaseHeaderError extends Error {}

/**
 * The file cannot be read as a whole (malformed or cut-off XML), found wherever it is in the file: refused
 * like a wrong header, nothing stored (the load's transaction rolls back, the previous release stays).
 */
export class MalformedReleaseError extends ReleaseHeaderError {
  readonly line: number;
  readonly column: number;
  constructor(line: number, column: number, message: string) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

export interface LoadOptions {
  version?: string;
  onProgress?: (progress: LoadProgress) => void;
  /** Concepts per INSERT (default 500). */
  batch?: number;
}

export interface LoadReport {
  url: string;
  version: string;
  id: string;
  concepts: number;
  problems: RowProblem[];
  seconds: number;
}

export interface ReleaseTarget {
  db: Database;
  repo: FhirRepository;
}

/**
 * Loads one release file: its concepts go to terminology_concept (every earlier version of that code
 * system is replaced, all in one transaction, so a refused file leaves the old release in place), then
 * the header CodeSystem (content not-present, with the concept count) is written through the FHIR
 * repository, which changes the key the terminology service caches the code system under.
 */
export async function loadRelease(target: ReleaseTarget, format: ReleaseFormat, file: string, options: LoadOptions = {}): Promise<LoadReport> {
  const started = performance.now();
  const version = options.version ?? format.defaultVersion(file);
  if (!version) throw new Error(`Give the release version of ${file} (--version)`);
  const totalBytes = statSync(file).size;
  const progress: LoadProgress = { bytes: 0, totalBytes, concepts: 0 };
  const source = createReadStream(file);
  const input = source.pipe(new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.bytes += chunk.length;
      done(null, chunk);
    },
  }));
  const batchSize = options.batch ?? 500;
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  let lastReport = 0;
  try {
    await target.db.transaction(async (tx) => {
      let batch: ReleaseConcept[] = [];
      let deleted = false;
      const flush = async () => {
        if (!deleted) {
          await tx.query('DELETE FROM terminology_concept WHERE system = $1', [format.url]);
          deleted = true;
        }
        if (batch.length > 0) await insert(tx, format.url, version, progress.concepts - batch.length, batch);
        batch = [];
      };
      for await (const row of format.rows(input)) {
        if ('problem' in row) {
          problems.push({ line: row.line, problem: row.problem });
          continue;
        }
        if (seen.has(row.concept.code)) {
          problems.push({ line: row.line, problem: `code ${row.concept.code} appears again (first occurrence kept)` });
          continue;
        }
        seen.add(row.concept.code);
        batch.push(row.concept);
        progress.concepts += 1;
        if (batch.length >= batchSize) {
          await flush();
          const now = performance.now();
          if (options.onProgress && now - lastReport > 100) {
            lastReport = now;
            options.onProgress({ ...progress });
          }
        }
      }
      await flush();
      if (progress.concepts === 0) throw new ReleaseHeaderError(`${file} holds no ${format.name} concepts`);
    });
  } finally {
    source.destroy();
    input.destroy();
  }
  options.onProgress?.({ ...progress, bytes: totalBytes });
  const header = format.header(version, progress.concepts);
  await target.repo.update(header as unknown as FhirResource);
  return { url: format.url, version, id: format.id, concepts: progress.concepts, problems, seconds: (performance.now() - started) / 1000 };
}

async function insert(tx: Queryable, system: string, version: string, firstSeq: number, concepts: ReleaseConcept[]): Promise<void> {
  const values: string[] = [];
  const params: (string | number | null)[] = [];
  for (const [i, c] of concepts.entries()) {
    const n = params.length;
    values.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`);
    const concept = {
      code: c.code, display: c.display,
      ...(c.definition ? { definition: c.definition } : {}),
      ...(c.designation && c.designation.length > 0 ? { designation: c.designation } : {}),
      ...(c.property.length > 0 ? { property: c.property } : {}),
    };
    params.push(system, version, c.code, firstSeq + i, c.parent ?? null, JSON.stringify(concept));
  }
  await tx.query(`INSERT INTO terminology_concept (system, version, code, seq, parent, concept) VALUES ${values.join(', ')}`, params);
}

/** Lines of a text stream with their 1-based numbers, a UTF-8 byte-order mark and CR removed. */
export async function* numberedLines(input: Readable): AsyncIterable<{ line: number; text: string }> {
  input.setEncoding('utf8');
  let rest = '';
  let line = 0;
  const clean = (text: string) => {
    line += 1;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  for await (const chunk of input) {
    const parts = (rest + (chunk as string)).split('\n');
    rest = parts.pop() as string;
    for (const part of parts) yield { line: line + 1, text: clean(part) };
  }
  if (rest.length > 0) yield { line: line + 1, text: clean(rest) };
}
