import type { Readable } from 'node:stream';
import type { CodeSystemResource, ConceptProperty } from '../terminology-types.ts';
import { numberedLines, ReleaseHeaderError, type ReleaseFormat, type ReleaseRow } from './release-loader.ts';

export const icd11Url = 'http://id.who.int/icd/release/11/mms';

/** Columns the loader needs (names compared without case); the rest of WHO's simple tabulation is ignored. */
const required = ['code', 'title', 'classkind'];
const kinds = new Set(['chapter', 'block', 'category']);

/**
 * WHO's ICD-11 MMS simple tabulation (`SimpleTabulation-ICD-11-MMS-en.txt` from the ICD-11 release, tab-separated,
 * one header row; or simpletabulation.xlsx saved as CSV). Required columns: Code, Title, ClassKind (chapter, block or category); used when present:
 * ChapterNo (the code given to a chapter), BlockId (the code given to a block), isLeaf, Linearization (release) URI.
 * The hierarchy is the title's indentation: one "- " per level below the chapter, so each row's parent
 * is the nearest row above it one level up. Chapters and blocks are non-selectable groups.
 */
export const icd11Format: ReleaseFormat = {
  name: 'icd11',
  url: icd11Url,
  id: 'icd-11-mms',
  defaultVersion: () => undefined,
  header(version, count): CodeSystemResource {
    return {
      resourceType: 'CodeSystem', id: 'icd-11-mms', url: icd11Url, version, name: 'ICD11MMS',
      title: 'ICD-11 for Mortality and Morbidity Statistics (MMS)', status: 'active', publisher: 'World Health Organization',
      caseSensitive: true, hierarchyMeaning: 'is-a', content: 'not-present', count,
      description: `Loaded from the operator's ICD-11 MMS simple tabulation (${count} entries); the concepts are served by the terminology service.`,
      property: [
        { code: 'notSelectable', type: 'boolean', description: 'A chapter or block: a grouping, not a code' },
        { code: 'kind', type: 'code', description: 'chapter, block or category (ClassKind)' },
        { code: 'isLeaf', type: 'boolean' },
        { code: 'linearizationUri', type: 'string' },
      ],
    };
  },
  rows: (input) => icd11Rows(input),
};

const unquote = (v: string | undefined) => (v ?? '').trim().replace(/^"(.*)"$/, '$1').replace(/""/g, '"').trim();

/** One line of a comma-separated export of the spreadsheet (fields quoted when they hold a comma or a quote). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

async function* icd11Rows(input: Readable): AsyncIterable<ReleaseRow> {
  let columns: Map<string, number> | undefined;
  let split = (text: string) => text.split('\t');
  /** The code of the latest row at each depth. */
  const path: string[] = [];
  for await (const { line, text } of numberedLines(input)) {
    if (!columns) {
      // WHO publishes the table as tab-separated text and as a spreadsheet (simpletabulation.xlsx); a
      // comma-separated export of the spreadsheet is read too.
      if (!text.includes('\t') && text.includes(',')) split = splitCsvLine;
      const names = split(text).map((n) => unquote(n).toLowerCase());
      columns = new Map(names.map((n, i) => [n, i]));
      const missing = required.filter((c) => !columns?.has(c));
      if (missing.length > 0 || names.length < 3) {
        throw new ReleaseHeaderError(`not an ICD-11 MMS simple tabulation (tab- or comma-separated, with Code, Title and ClassKind columns): the header lacks ${missing.join(', ') || 'separators'}`);
      }
      continue;
    }
    if (text.trim() === '') continue;
    const fields = split(text);
    const field = (name: string) => {
      const i = columns?.get(name);
      return i === undefined ? '' : unquote(fields[i]);
    };
    const kind = field('classkind').toLowerCase();
    if (!kinds.has(kind)) {
      yield { line, problem: `ClassKind '${kind}' is not chapter, block or category` };
      continue;
    }
    const rawTitle = field('title');
    const indent = /^(?:-\s*)*/.exec(rawTitle)?.[0] ?? '';
    const depth = (indent.match(/-/g) ?? []).length;
    const title = rawTitle.slice(indent.length).trim();
    const code = kind === 'chapter' ? field('chapterno') : kind === 'block' ? field('blockid') : field('code');
    if (!code) {
      yield { line, problem: `${kind} '${title}' has no ${kind === 'chapter' ? 'ChapterNo' : kind === 'block' ? 'BlockId' : 'Code'}` };
      continue;
    }
    if (!title) {
      yield { line, problem: `${code} has no Title` };
      continue;
    }
    if (depth > path.length || (kind === 'chapter' && depth !== 0)) {
      yield { line, problem: `${code} is indented ${depth} levels under a row of ${path.length - 1} levels` };
      continue;
    }
    const parent = depth > 0 ? path[depth - 1] : undefined;
    path.length = depth;
    path.push(code);
    const property: ConceptProperty[] = [{ code: 'kind', valueCode: kind }];
    if (kind !== 'category') property.push({ code: 'notSelectable', valueBoolean: true });
    const leaf = field('isleaf').toLowerCase();
    if (leaf === 'true' || leaf === 'false') property.push({ code: 'isLeaf', valueBoolean: leaf === 'true' });
    const uri = field('linearization (release) uri') || field('linearization uri');
    if (uri) property.push({ code: 'linearizationUri', valueString: uri });
    yield { line, concept: { code, display: title, parent, property } };
  }
  if (!columns) throw new ReleaseHeaderError('the file is empty: expected an ICD-11 MMS simple tabulation');
}
