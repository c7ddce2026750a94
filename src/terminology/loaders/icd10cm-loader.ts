import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { CodeSystemResource } from '../terminology-types.ts';
import { numberedLines, ReleaseHeaderError, type ReleaseFormat, type ReleaseRow } from './release-loader.ts';

export const icd10cmUrl = 'http://hl7.org/fhir/sid/icd-10-cm';

/**
 * One line of the CDC's ICD-10-CM order file (`icd10cm_order_YYYY.txt`, fixed width): order number in
 * columns 1-5, code 7-13 (no dot, space-padded), header flag at 15 (0: a heading that cannot be billed,
 * 1: a billable code), short description 17-76, long description from 78.
 */
export function orderLine(text: string): { code: string; flag: string; short: string; long: string } | undefined {
  if (!/^\d{5} [A-Z0-9]{3,7} *[01] \S/.test(text) || text[13] !== ' ' || text[15] !== ' ') return undefined;
  return { code: text.slice(6, 13).trim(), flag: text[14], short: text.slice(16, 76).trim(), long: text.slice(77).trim() };
}

/** A3 → A3, A000 → A00.0: the dotted form FHIR uses for ICD-10-CM codes. */
export function dotted(code: string): string {
  return code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
}

/**
 * The CDC ICD-10-CM order file. Codes are stored dotted (A00.0); the hierarchy comes from code
 * prefixes (A000's parent is A00, S52521A's is S52521 if present, else S5252, …), so the order file's
 * headings (flag 0) become non-selectable parents of the billable codes below them. Display is the long
 * description. Chapters and blocks (A00-B99) are not in the order file and so not here.
 */
export const icd10cmFormat: ReleaseFormat = {
  name: 'icd10cm',
  url: icd10cmUrl,
  id: 'icd-10-cm',
  defaultVersion: (file) => /(\d{4})/.exec(basename(file))?.[1],
  header(version, count): CodeSystemResource {
    return {
      resourceType: 'CodeSystem', id: 'icd-10-cm', url: icd10cmUrl, version, name: 'ICD10CM',
      title: 'International Classification of Diseases, Tenth Revision, Clinical Modification (ICD-10-CM)',
      status: 'active', publisher: 'National Center for Health Statistics (NCHS), CDC', caseSensitive: false,
      hierarchyMeaning: 'is-a', content: 'not-present', count,
      description: `Loaded from the operator's ICD-10-CM order file (${count} codes); the concepts are served by the terminology service.`,
      property: [
        { code: 'notSelectable', type: 'boolean', description: 'A heading (header flag 0 in the order file): not valid for billing' },
        { code: 'shortDescription', type: 'string' },
      ],
    };
  },
  rows: (input) => icd10cmRows(input),
};

async function* icd10cmRows(input: Readable): AsyncIterable<ReleaseRow> {
  const known = new Set<string>();
  let checked = false;
  for await (const { line, text } of numberedLines(input)) {
    if (text.trim() === '') continue;
    const m = orderLine(text);
    if (!checked) {
      // The first line tells whether this is an order file at all: refuse before anything is stored.
      if (!m) throw new ReleaseHeaderError(`not an ICD-10-CM order file (icd10cm_order_YYYY.txt): line 1 reads '${text.slice(0, 40)}', expected '00001 A00     0 Cholera …'`);
      checked = true;
    }
    if (!m) {
      yield { line, problem: `not an order file line (order number, code, 0/1 flag, descriptions in fixed columns): '${text.slice(0, 40)}'` };
      continue;
    }
    const { code, flag, short, long } = m;
    if (!/^[A-Z]\d[0-9A-Z]/.test(code)) {
      yield { line, problem: `'${code}' is not an ICD-10-CM code` };
      continue;
    }
    let parent: string | undefined;
    for (let n = code.length - 1; n >= 3 && !parent; n--) if (known.has(code.slice(0, n))) parent = dotted(code.slice(0, n));
    if (code.length > 3 && !parent) {
      yield { line, problem: `${dotted(code)} comes before any code it belongs under (${code.slice(0, 3)})` };
      continue;
    }
    known.add(code);
    const display = long || short;
    yield {
      line,
      concept: {
        code: dotted(code), display, parent,
        property: [
          ...(flag === '0' ? [{ code: 'notSelectable', valueBoolean: true }] : []),
          ...(short !== display ? [{ code: 'shortDescription', valueString: short }] : []),
        ],
      },
    };
  }
  if (!checked) throw new ReleaseHeaderError('the file is empty: expected an ICD-10-CM order file');
}
