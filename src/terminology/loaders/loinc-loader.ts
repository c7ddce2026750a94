import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { CodeSystemResource, ConceptProperty } from '../terminology-types.ts';
import { ReleaseHeaderError, type ReleaseFormat, type ReleaseRow } from './release-loader.ts';

export const loincUrl = 'http://loinc.org';

/** The LOINC table columns kept as concept properties (all but LOINC_NUM and LONG_COMMON_NAME, which are the code and display). */
const propertyColumns = ['COMPONENT', 'PROPERTY', 'TIME_ASPCT', 'SYSTEM', 'SCALE_TYP', 'METHOD_TYP', 'CLASS', 'STATUS'] as const;
/** Columns a file must have to be taken for a LOINC table; the others are optional (LoincTableCore.csv has them all). */
const requiredColumns = ['LOINC_NUM', 'COMPONENT', 'LONG_COMMON_NAME', 'STATUS'];
const statuses = new Set(['ACTIVE', 'TRIAL', 'DISCOURAGED', 'DEPRECATED']);

/** LOINC's check digit: the Luhn (mod 10) digit of the number before the hyphen. */
export function loincCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isLoincCode(code: string): boolean {
  const m = /^(\d{1,7})-(\d)$/.exec(code);
  return m !== null && loincCheckDigit(m[1]) === Number(m[2]);
}

/**
 * LOINC's table of terms as published in a release: `LoincTableCore/LoincTableCore.csv` or the full
 * `LoincTable/Loinc.csv` (comma-separated, every field quoted, a header row). Display is
 * LONG_COMMON_NAME; COMPONENT, PROPERTY, TIME_ASPCT, SYSTEM, SCALE_TYP, METHOD_TYP, CLASS and STATUS become
 * properties; DEPRECATED terms are inactive. LOINC has no is-a hierarchy in this table.
 */
export const loincFormat: ReleaseFormat = {
  name: 'loinc',
  url: loincUrl,
  id: 'loinc',
  defaultVersion: () => undefined,
  header(version, count): CodeSystemResource {
    return {
      resourceType: 'CodeSystem', id: 'loinc', url: loincUrl, version, name: 'LOINC', title: 'LOINC',
      status: 'active', publisher: 'Regenstrief Institute, Inc.', caseSensitive: false, content: 'not-present', count,
      copyright: 'This material contains content from LOINC (http://loinc.org). LOINC is copyright © Regenstrief Institute, Inc. '
        + 'and the Logical Observation Identifiers Names and Codes (LOINC) Committee and is available at no cost under the license at http://loinc.org/license.',
      description: `Loaded from the operator's LOINC release file (${count} terms); the concepts are served by the terminology service.`,
      property: [
        ...propertyColumns.map((code) => ({ code, type: 'string' })),
        { code: 'inactive', type: 'boolean' },
      ],
    };
  },
  rows: (input) => loincRows(input),
};

async function* loincRows(input: Readable): AsyncIterable<ReleaseRow> {
  const problems: ReleaseRow[] = [];
  const parser = input.pipe(parse({
    info: true, relax_column_count: true, skip_empty_lines: true, bom: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      problems.push({ line: Number((error as { lines?: number } | undefined)?.lines ?? 0), problem: `not a CSV record: ${error?.message ?? 'unreadable'}` });
      return undefined;
    },
  }));
  let columns: Map<string, number> | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* problems.splice(0);
    const line = info.lines;
    if (!columns) {
      columns = new Map(record.map((name, i) => [name.trim().toUpperCase(), i]));
      const missing = requiredColumns.filter((c) => !columns?.has(c));
      if (missing.length > 0) {
        throw new ReleaseHeaderError(`not a LOINC table (LoincTableCore.csv or Loinc.csv): the header lacks ${missing.join(', ')}; it reads ${record.slice(0, 6).join(',')}…`);
      }
      continue;
    }
    const field = (name: string) => {
      const i = columns?.get(name);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };
    if (record.length < columns.size) {
      yield { line, problem: `${record.length} fields where the header has ${columns.size}` };
      continue;
    }
    const code = field('LOINC_NUM');
    if (!isLoincCode(code)) {
      yield { line, problem: `LOINC_NUM '${code}' is not a LOINC code (digits, hyphen, check digit)` };
      continue;
    }
    const display = field('LONG_COMMON_NAME') || field('SHORTNAME');
    if (!display) {
      yield { line, problem: `${code} has no LONG_COMMON_NAME` };
      continue;
    }
    const status = field('STATUS').toUpperCase();
    if (!statuses.has(status)) {
      yield { line, problem: `${code} has STATUS '${status}', not one of ${[...statuses].join(', ')}` };
      continue;
    }
    const property: ConceptProperty[] = [];
    for (const name of propertyColumns) {
      const value = field(name);
      if (value) property.push({ code: name, valueString: value });
    }
    if (status === 'DEPRECATED') property.push({ code: 'inactive', valueBoolean: true });
    yield { line, concept: { code, display, property } };
  }
  yield* problems.splice(0);
  if (!columns) throw new ReleaseHeaderError('the file is empty: expected a LOINC table with a header row');
}
