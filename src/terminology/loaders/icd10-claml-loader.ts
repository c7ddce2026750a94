import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { CodeSystemResource, ConceptProperty, Designation } from '../terminology-types.ts';
import { MalformedReleaseError, ReleaseHeaderError, type ReleaseConcept, type ReleaseFormat, type ReleaseRow } from './release-loader.ts';

export const icd10Url = 'http://hl7.org/fhir/sid/icd-10';
/** The `use` of the designations taken from ClaML rubrics (inclusion terms, the long preferred title). */
export const clamlRubricKindUrl = 'https://huza.rw/fhir/CodeSystem/claml-rubric-kind';

const kinds = new Set(['chapter', 'block', 'category']);

/**
 * WHO's ICD-10 (international edition) in its published ClaML XML (`icdClaML2019ens.xml`; ISO 13120), read as a
 * stream with saxes. Each `<Class>` (chapter, block, category) is a concept: its code, the `preferred` rubric as
 * display, parent from `<SuperClass>`; `kind` and `usage` (dagger/aster) as properties, chapters and blocks
 * `notSelectable`. `preferredLong` and `inclusion` rubrics become designations (searched by `$expand` filters),
 * `definition` the concept's definition, `exclusion`, `note`, `text` and `coding-hint` string properties.
 * ICD-10 spells some codes only through modifiers (E10.0 is E10 with the fourth character ".0" of modifier
 * S04E10_4): a category carrying `<ModifiedBy>` without subcategories gets one concept per `<ModifierClass>`
 * of that modifier, a category with subcategories hands the modifier down to them (ClaML's inheritance,
 * `<ExcludeModifier>` and `all="false"` with `<ValidModifierClass>` honoured). A modifier whose bare digit would
 * need a placeholder in a three-character code (fifth-character site codes on M45, say) is not expanded.
 */
export const icd10ClamlFormat: ReleaseFormat = {
  name: 'icd10',
  url: icd10Url,
  id: 'icd-10',
  defaultVersion: (file) => titleVersion(file) ?? /(\d{4})/.exec(basename(file))?.[1],
  header(version, count): CodeSystemResource {
    return {
      resourceType: 'CodeSystem', id: 'icd-10', url: icd10Url, version, name: 'ICD10',
      title: 'International Statistical Classification of Diseases and Related Health Problems, 10th Revision (ICD-10)',
      status: 'active', publisher: 'World Health Organization', caseSensitive: false, hierarchyMeaning: 'is-a',
      content: 'not-present', count,
      copyright: 'ICD-10 © World Health Organization; used under the terms of the licence under which the operator obtained it.',
      description: `Loaded from the operator's WHO ICD-10 ClaML file (${count} classes); the concepts are served by the terminology service.`,
      property: [
        { code: 'notSelectable', type: 'boolean', description: 'A chapter or block: a grouping, not a code' },
        { code: 'kind', type: 'code', description: 'ClaML class kind: chapter, block or category' },
        { code: 'usage', type: 'code', description: 'dagger or aster (the dagger and asterisk system)' },
        { code: 'modifier', type: 'code', description: 'The ClaML modifier this code was spelled out from (e.g. S04E10_4)' },
        { code: 'exclusion', type: 'string', description: 'An exclusion rubric, the code it points to in brackets' },
        { code: 'note', type: 'string' },
        { code: 'codingHint', type: 'string' },
      ],
    };
  },
  rows: (input) => clamlRows(input),
};

/** The `version` attribute of the file's `<Title>`, read from its first 64 KB (it precedes every class). */
function titleVersion(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    return /<Title\b[^>]*\bversion\s*=\s*["']([^"']+)["']/.exec(head.subarray(0, n).toString('utf8'))?.[1];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface Label {
  lang?: string;
  /** The label's text without its `<Reference>`s (the codes of dagger/asterisk pairs). */
  plain: string;
  /** The text with references in brackets: "bone marrow NOS (C96.7)". */
  full: string;
}

interface Rubric {
  kind: string;
  labels: Label[];
}

interface ModifiedBy {
  code: string;
  /** Undefined: every class of the modifier; else only these (all="false" with ValidModifierClass). */
  valid?: Set<string>;
}

interface ClassElement {
  element: 'Class' | 'ModifierClass';
  line: number;
  code: string;
  kind: string;
  usage?: string;
  modifier?: string;
  superClass?: string;
  subClasses: string[];
  modifiedBy: ModifiedBy[];
  exclude: Set<string>;
  rubrics: Rubric[];
}

interface ModifierValue {
  code: string;
  display: string;
  usage?: string;
}

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();
/** Elements whose text runs on from the previous one's without a space in the XML but reads as separate words. */
const separated = new Set(['Para', 'Fragment', 'Include', 'ListItem', 'Cell']);

/** A modifier value's code joined to the class it modifies: E10 + .0 → E10.0; M00.0 + 5 → M00.05; W00 + 0 (a fourth-character modifier) → W00.0. */
export function modifiedCode(base: string, value: string, modifier: string): string | undefined {
  if (value.startsWith('.')) return base.includes('.') ? undefined : base + value;
  if (base.includes('.')) return base + value;
  return /_4$/.test(modifier) ? `${base}.${value}` : undefined;
}

async function* clamlRows(input: Readable): AsyncIterable<ReleaseRow> {
  input.setEncoding('utf8');
  const parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  const queue: ReleaseRow[] = [];
  let failure: Error | undefined;
  let root: string | undefined;
  const stack: string[] = [];
  /** The ModifierClasses of each modifier, in file order. */
  const modifiers = new Map<string, ModifierValue[]>();
  /** Modifiers handed down by a category to its subcategories, by the subcategory's code. */
  const inherited = new Map<string, ModifiedBy[]>();
  const displays = new Map<string, string>();
  let title: { name: string; text: string } | undefined;
  let current: ClassElement | undefined;
  let modifiedBy: ModifiedBy | undefined;
  let rubric: Rubric | undefined;
  let label: Label | undefined;
  let inReference = 0;

  const text = (t: string) => {
    if (label) {
      label.full += t;
      if (inReference === 0) label.plain += t;
    } else if (title && stack.at(-1) === 'Title') title.text += t;
  };

  parser.on('error', (error) => {
    failure ??= root === undefined
      ? new ReleaseHeaderError(`not a ClaML file (XML whose root element is <ClaML>): ${error.message.replace(/^(\d+):(\d+): /, 'line $1, column $2: ')}`)
      : malformed(error, parser);
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = tag.name;
    const attr = (a: string) => {
      const v = tag.attributes[a];
      return typeof v === 'string' ? v.trim() : undefined;
    };
    if (root === undefined) {
      root = name;
      if (name !== 'ClaML') failure ??= new ReleaseHeaderError(`not a ClaML file: the root element is <${name}>, expected <ClaML>`);
    }
    const depth = stack.length;
    stack.push(name);
    if (depth === 1 && name === 'Title') title = { name: attr('name') ?? '', text: '' };
    else if (depth === 1 && (name === 'Class' || name === 'ModifierClass')) {
      if (!title) failure ??= new ReleaseHeaderError('not the WHO ICD-10 in ClaML: no <Title> before the first class');
      current = {
        element: name, line: parser.line, code: attr('code') ?? '', kind: name === 'Class' ? (attr('kind') ?? '') : 'modifier',
        usage: attr('usage'), modifier: attr('modifier'), subClasses: [], modifiedBy: [], exclude: new Set(), rubrics: [],
      };
    } else if (current && depth === 2) {
      if (name === 'SuperClass') current.superClass ??= attr('code');
      else if (name === 'SubClass' && attr('code')) current.subClasses.push(attr('code') as string);
      else if (name === 'ModifiedBy' && attr('code')) {
        modifiedBy = { code: attr('code') as string, valid: attr('all') === 'false' ? new Set() : undefined };
        current.modifiedBy.push(modifiedBy);
      } else if (name === 'ExcludeModifier' && attr('code')) current.exclude.add(attr('code') as string);
      else if (name === 'Rubric') {
        rubric = { kind: attr('kind') ?? '', labels: [] };
        current.rubrics.push(rubric);
      }
    } else if (current && depth === 3 && name === 'ValidModifierClass' && modifiedBy?.valid && attr('code')) {
      modifiedBy.valid.add(attr('code') as string);
    } else if (rubric && depth === 3 && name === 'Label') {
      label = { lang: attr('xml:lang'), plain: '', full: '' };
      rubric.labels.push(label);
    } else if (label) {
      if (separated.has(name)) text(' ');
      if (name === 'Reference') {
        inReference += 1;
        label.full += ' (';
      }
    }
  });
  parser.on('text', text);
  parser.on('cdata', text);
  parser.on('closetag', (tag: SaxesTagPlain) => {
    const name = tag.name;
    stack.pop();
    const depth = stack.length;
    if (depth === 1 && name === 'Title' && title) {
      const named = `${title.name} ${title.text}`;
      if (!/ICD-?10|10th Revision|Tenth Revision/i.test(named)) {
        failure ??= new ReleaseHeaderError(`not the WHO ICD-10 in ClaML: the file's <Title> reads '${clean(named).slice(0, 80)}'`);
      }
    } else if (depth === 1 && current && (name === 'Class' || name === 'ModifierClass')) {
      const finished = current;
      current = undefined;
      if (failure) return;
      if (finished.element === 'ModifierClass') modifierClass(finished);
      else queue.push(...classRows(finished));
    } else if (depth === 2 && name === 'ModifiedBy') modifiedBy = undefined;
    else if (depth === 2 && name === 'Rubric') rubric = undefined;
    else if (depth === 3 && name === 'Label') label = undefined;
    else if (label) {
      if (name === 'Reference') {
        inReference -= 1;
        label.full += ')';
      }
      if (separated.has(name)) text(' ');
    }
  });

  const preferred = (c: ClassElement) => c.rubrics.find((r) => r.kind === 'preferred')?.labels[0];

  const modifierClass = (c: ClassElement) => {
    const display = preferred(c);
    if (!c.modifier || !c.code || !display || !clean(display.plain)) return;
    modifiers.set(c.modifier, [...(modifiers.get(c.modifier) ?? []), { code: c.code, display: clean(display.plain), usage: c.usage }]);
  };

  function classRows(c: ClassElement): ReleaseRow[] {
    const { line, code, kind } = c;
    if (!code) return [{ line, problem: `a <Class> of kind '${kind}' has no code` }];
    if (!kinds.has(kind)) return [{ line, problem: `${code}: kind '${kind}' is not chapter, block or category` }];
    const title = preferred(c);
    const display = title ? clean(title.plain) : '';
    if (!display) return [{ line, problem: `${code} has no preferred rubric (its title)` }];
    const designation: Designation[] = [];
    const property: ConceptProperty[] = [{ code: 'kind', valueCode: kind }];
    if (kind !== 'category') property.push({ code: 'notSelectable', valueBoolean: true });
    if (c.usage) property.push({ code: 'usage', valueCode: c.usage });
    let definition: string | undefined;
    for (const r of c.rubrics) {
      for (const l of r.labels) {
        const value = clean(r.kind === 'exclusion' || r.kind === 'note' || r.kind === 'text' || r.kind === 'coding-hint' ? l.full : l.plain);
        if (!value) continue;
        const language = l.lang ? { language: l.lang } : {};
        if (r.kind === 'preferred') {
          if (l !== title) designation.push({ ...language, value });
        } else if (r.kind === 'preferredLong' || r.kind === 'inclusion') {
          designation.push({ ...language, use: { system: clamlRubricKindUrl, code: r.kind }, value });
        } else if (r.kind === 'definition') definition ??= value;
        else if (r.kind === 'exclusion') property.push({ code: 'exclusion', valueString: value });
        else if (r.kind === 'note' || r.kind === 'text') property.push({ code: 'note', valueString: value });
        else if (r.kind === 'coding-hint') property.push({ code: 'codingHint', valueString: value });
      }
    }
    displays.set(code, display);
    const concept: ReleaseConcept = { code, display, parent: c.superClass, property };
    if (designation.length > 0) concept.designation = designation;
    if (definition) concept.definition = definition;
    const rows: ReleaseRow[] = [{ line, concept }];
    if (kind !== 'category') return rows;
    // Modifiers: the category's own and those its parent category handed down, less the excluded.
    const active = [...(inherited.get(code) ?? []), ...c.modifiedBy].filter((m) => !c.exclude.has(m.code));
    inherited.delete(code);
    if (active.length === 0) return rows;
    if (c.subClasses.length > 0) {
      for (const sub of c.subClasses) inherited.set(sub, [...(inherited.get(sub) ?? []), ...active]);
      return rows;
    }
    for (const m of active) {
      const values = modifiers.get(m.code);
      if (!values) {
        rows.push({ line, problem: `${code} is modified by ${m.code}, which no <ModifierClass> before it defines` });
        continue;
      }
      for (const v of values) {
        if (m.valid && !m.valid.has(v.code)) continue;
        const spelled = modifiedCode(code, v.code, m.code);
        if (!spelled) continue;
        const p: ConceptProperty[] = [{ code: 'kind', valueCode: 'category' }, { code: 'modifier', valueCode: m.code }];
        if (v.usage) p.push({ code: 'usage', valueCode: v.usage });
        // "Type 1 diabetes mellitus: with coma" (the modifier's title on its own reads "With coma").
        const value = v.display.replace(/^[A-Z](?=[a-z])/, (ch) => ch.toLowerCase());
        rows.push({ line, concept: { code: spelled, display: `${display}: ${value}`, parent: code, property: p } });
      }
    }
    return rows;
  }

  let started = false;
  for await (const chunk of input) {
    let piece = chunk as string;
    if (!started) {
      piece = piece.replace(/^\uFEFF/, '');
      const head = piece.trimStart();
      started = head !== '';
      if (started && !head.startsWith('<')) throw new ReleaseHeaderError(`not a ClaML file (XML whose root element is <ClaML>): it begins '${head.slice(0, 40).split('\n')[0]}'`);
    }
    parser.write(piece);
    if (failure) throw failure;
    yield* queue.splice(0);
  }
  if (root === undefined) throw new ReleaseHeaderError('the file holds no XML element: expected WHO ICD-10 in ClaML');
  parser.close();
  if (failure) throw failure;
  yield* queue.splice(0);
  if (!title) throw new ReleaseHeaderError('not the WHO ICD-10 in ClaML: the file has no <Title>');
}

function malformed(error: Error, parser: { line: number; column: number }): MalformedReleaseError {
  const m = /^(\d+):(\d+): (.*)$/s.exec(error.message);
  const line = m ? Number(m[1]) : parser.line;
  const column = m ? Number(m[2]) : parser.column;
  return new MalformedReleaseError(line, column, `malformed XML at line ${line}, column ${column}: ${m ? m[3] : error.message}`);
}
