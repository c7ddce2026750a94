import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.mjs';
import type { SearchParam, SearchParamType } from '../definitions/search-parameters.ts';
import { parseDateRange } from './date-range.ts';
import { emptyIndexRows, indexTables, type IndexRows } from './index-rows.ts';
import { nearLatitude, nearLongitude } from './near-sql.ts';
import { normalizeText } from './normalize-text.ts';
import { parseReference } from './parse-reference.ts';

interface FhirNode {
  data: unknown;
  path?: string;
  fhirNodeDataType?: string;
}
type Evaluator = (input: unknown, resource: unknown) => FhirNode[];

const evaluators = new Map<string, Evaluator>();

/**
 * Compiles once per (base, expression); results keep their FHIR data type, which decides how a value is
 * indexed. %resource is the resource being indexed (fhirpath.js does not set it by itself). Results that
 * are plain values (the boolean of `Patient.deceased.exists() and …`) are wrapped like nodes.
 */
function evaluator(expression: string, base?: string): Evaluator {
  const key = `${base ?? ''}\u0000${expression}`;
  let fn = evaluators.get(key);
  if (!fn) {
    const compiled = fhirpath.compile(base ? { base, expression } : expression, r4Model, { resolveInternalTypes: false });
    // Environment variables cost fhirpath.js time on every call: only given to the expressions that use one.
    const usesResource = expression.includes('%resource');
    fn = (input: unknown, resource: unknown) => {
      const result = (usesResource
        ? compiled(input as Record<string, unknown>, { resource } as Record<string, unknown>)
        : compiled(input as Record<string, unknown>)) as unknown[];
      for (let i = 0; i < result.length; i++) {
        const n = result[i];
        if (n === null || typeof n !== 'object' || !('data' in n) || !('path' in n)) result[i] = { data: n };
      }
      return result as FhirNode[];
    };
    evaluators.set(key, fn);
  }
  return fn;
}

/** Evaluates each alternative on its own: one that fhirpath.js cannot evaluate on this resource indexes nothing, the others still do. */
function evaluateAll(expressions: string[], input: unknown, resource: unknown, base?: string): FhirNode[] {
  if (expressions.length === 1) return tryEvaluate(expressions[0], input, resource, base);
  return expressions.flatMap((e) => tryEvaluate(e, input, resource, base));
}

const presenceKeysCache = new Map<string, string[] | null>();

/**
 * Most parameters of a type select nothing from a given resource, and fhirpath.js costs time even to
 * find that out. A plain navigation `Type.elem…` (with where/ofType/… after it) selects nothing when
 * `elem` is absent, so such expressions are skipped without evaluation when none of the JSON keys
 * `elem` can take (value → valueQuantity, valueString…) is present. Expressions that can make a value
 * out of absence (exists(), empty(), and/or, comparisons: `Patient.deceased.exists() and …`) are
 * always evaluated.
 */
function presenceKeys(expression: string): string[] | null {
  let keys = presenceKeysCache.get(expression);
  if (keys === undefined) {
    keys = null;
    const m = /^\(?\s*([A-Z][A-Za-z]+)\.([a-z][A-Za-z0-9]*)/.exec(expression);
    let topLevel = '';
    let depth = 0;
    for (const ch of expression.replace(/'(\\.|[^'])*'/g, "''")) {
      if (ch === '(') depth++;
      if (depth === 0) topLevel += ch;
      if (ch === ')') depth--;
    }
    const derivesValues = /\b(exists|empty|not|iif|count|hasValue|all|allTrue|anyTrue|allFalse|anyFalse)\b|\s(and|or|xor|implies)\s|[=<>!~+*/-]|%/.test(topLevel);
    if (m && !derivesValues) {
      const [, type, element] = m;
      const choices = (r4Model as { choiceTypePaths: Record<string, string[]> }).choiceTypePaths[`${type}.${element}`];
      keys = choices ? choices.map((t) => `${element}${t}`) : [element];
    }
    presenceKeysCache.set(expression, keys);
  }
  return keys;
}

function tryEvaluate(expression: string, input: unknown, resource: unknown, base?: string): FhirNode[] {
  if (!base) {
    const keys = presenceKeys(expression);
    if (keys && !keys.some((k) => (input as Record<string, unknown>)[k] !== undefined)) return [];
  }
  try {
    return evaluator(expression, base)(input, resource);
  } catch {
    // An expression the engine cannot evaluate on this resource indexes nothing rather than refusing the write.
    return [];
  }
}

/** Parameters served by the resource table itself rather than by index rows. */
const unindexed = new Set(['_id', '_lastUpdated']);

export function extractIndexRows(resource: Record<string, unknown>, params: Iterable<SearchParam>): IndexRows {
  const rows = emptyIndexRows();
  for (const param of params) {
    if (param.expressions.length === 0 || unindexed.has(param.code)) continue;
    const nodes = evaluateAll(param.expressions, resource, resource);
    if (param.type === 'composite') {
      nodes.forEach((node, grp) => {
        param.components.forEach((component, j) => {
          for (const value of evaluateAll(component.param.expressions, node.data, resource, node.path)) {
            addValue(rows, `${param.code}$${j}`, component.param.type, value, grp);
          }
        });
      });
    } else {
      for (const node of nodes) addValue(rows, param.code, param.type, node, null);
    }
  }
  return dedupe(rows);
}

/**
 * The same value often turns up more than once (a given name repeated, the same code in `code` and in
 * `combo-code`'s alternatives): one row per distinct value is enough to match, and keeps writes lean.
 */
function dedupe(rows: IndexRows): IndexRows {
  for (const table of indexTables) {
    const list = rows[table] as Record<string, unknown>[];
    if (list.length < 2) continue;
    const seen = new Set<string>();
    const kept = list.filter((row) => {
      let key = '';
      for (const k in row) {
        const v = row[k];
        key += `${v === null ? '\u0002' : v instanceof Date ? v.getTime() : v}\u0001`;
      }
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    (rows[table] as Record<string, unknown>[]) = kept;
  }
  return rows;
}

function addValue(rows: IndexRows, param: string, type: SearchParamType, node: FhirNode, grp: number | null): void {
  const data = node.data as never;
  const dataType = node.fhirNodeDataType ?? typeof data;
  switch (type) {
    case 'string':
      return addString(rows, param, dataType, data, grp);
    case 'token':
      return addToken(rows, param, dataType, data, grp);
    case 'reference':
      return addReference(rows, param, data, grp);
    case 'date':
      return addDate(rows, param, dataType, data, grp);
    case 'number':
      return addNumber(rows, param, dataType, data, grp);
    case 'quantity':
      return addQuantity(rows, param, dataType, data, grp);
    case 'uri':
      if (typeof data === 'string') rows.uri.push({ param, value: data, grp });
      return;
    case 'special':
      if (param === 'near') addPosition(rows, data);
      return;
    default:
      return;
  }
}

function addString(rows: IndexRows, param: string, dataType: string, data: Record<string, unknown> | string, grp: number | null): void {
  const push = (value: unknown) => {
    if (typeof value === 'string' && value.length > 0) rows.string.push({ param, value: normalizeText(value), exact: value, grp });
  };
  if (typeof data === 'string') return push(data);
  if (typeof data !== 'object' || data === null) return;
  const parts = dataType === 'HumanName'
    ? ['text', 'family', 'given', 'prefix', 'suffix']
    : dataType === 'Address'
      ? ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country']
      : [];
  for (const part of parts) {
    const value = data[part];
    if (Array.isArray(value)) value.forEach(push);
    else push(value);
  }
}

type Coding = { system?: string; code?: string; display?: string };

function addToken(rows: IndexRows, param: string, dataType: string, data: Record<string, unknown> | string | boolean, grp: number | null): void {
  const push = (system: string | undefined, code: string | undefined, display: string | undefined) => {
    if (code === undefined && display === undefined) return;
    rows.token.push({ param, system: system ?? null, code: code ?? null, display: display ? normalizeText(display) : null, grp });
  };
  if (typeof data === 'boolean') return push(undefined, String(data), undefined);
  if (typeof data === 'string') return push(undefined, data, undefined);
  if (typeof data !== 'object' || data === null) return;
  switch (dataType) {
    case 'Coding': {
      const c = data as Coding;
      return push(c.system, c.code, c.display);
    }
    case 'CodeableConcept': {
      const cc = data as { coding?: Coding[]; text?: string };
      for (const c of cc.coding ?? []) push(c.system, c.code, c.display);
      if (cc.text) push(undefined, undefined, cc.text);
      return;
    }
    case 'Identifier': {
      const id = data as { system?: string; value?: string; type?: { coding?: Coding[]; text?: string } };
      push(id.system, id.value, id.type?.text);
      // :of-type matches identifier type and value together; the pair is kept as one code.
      for (const c of id.type?.coding ?? []) {
        if (id.value && c.code) rows.token.push({ param: `${param}:of-type`, system: c.system ?? null, code: `${c.code}|${id.value}`, display: null, grp });
      }
      return;
    }
    case 'ContactPoint': {
      const cp = data as { value?: string };
      return push(undefined, cp.value, undefined);
    }
    default:
      return;
  }
}

/**
 * A relative reference (`Patient/123`) names a resource on this server and is indexed by type and id.
 * Anything else (absolute URL, canonical, urn:, `#contained`) is kept as written in url only: an
 * absolute `http://other.org/fhir/Patient/123` is not this server's Patient/123, so it must not match
 * `subject=Patient/123`, be followed by _include or chains, nor count for _has.
 */
function addReference(rows: IndexRows, param: string, data: Record<string, unknown> | string, grp: number | null): void {
  const push = (reference: string) => {
    const ref = parseReference(reference);
    const relative = ref.url === null;
    rows.reference.push({
      param, targetType: relative ? ref.type : null, targetId: relative ? ref.id : null, targetVersion: relative ? ref.version : null,
      url: ref.url, grp,
    });
  };
  if (typeof data === 'string') return push(data);
  if (typeof data !== 'object' || data === null) return;
  const r = data as { reference?: string; identifier?: { system?: string; value?: string } };
  if (r.reference) push(r.reference);
  if (r.identifier?.value) {
    rows.token.push({ param: `${param}:identifier`, system: r.identifier.system ?? null, code: r.identifier.value, display: null, grp });
    // A logical reference still gives the parameter a value (for :missing); the row matches no target.
    if (!r.reference) rows.reference.push({ param, targetType: null, targetId: null, targetVersion: null, url: null, grp });
  }
}

function addDate(rows: IndexRows, param: string, dataType: string, data: Record<string, unknown> | string, grp: number | null): void {
  const pushRange = (start: string | undefined, end: string | undefined) => {
    const low = start ? parseDateRange(start)?.low ?? null : null;
    const high = end ? parseDateRange(end)?.high ?? null : null;
    if (low || high) rows.date.push({ param, low, high, grp });
  };
  if (typeof data === 'string') return pushRange(data, data);
  if (typeof data !== 'object' || data === null) return;
  if (dataType === 'Period') {
    const p = data as { start?: string; end?: string };
    return pushRange(p.start, p.end);
  }
  if (dataType === 'Timing') {
    for (const event of (data as { event?: string[] }).event ?? []) pushRange(event, event);
  }
}

type QuantityData = { value?: number; system?: string; code?: string; unit?: string; currency?: string };

/**
 * A number as fhirpath.js hands it over: integers as JS numbers, decimals wrapped in an object that
 * keeps the digits as written (asStr).
 */
function numberText(data: unknown): string | null {
  if (typeof data === 'number') return Number.isFinite(data) ? String(data) : null;
  if (data !== null && typeof data === 'object' && typeof (data as { value?: unknown }).value === 'number') {
    const d = data as { value: number; asStr?: unknown };
    return typeof d.asStr === 'string' && /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(d.asStr) ? d.asStr : String(d.value);
  }
  return null;
}

function addNumber(rows: IndexRows, param: string, dataType: string, data: unknown, grp: number | null): void {
  if (dataType === 'Range' && typeof data === 'object' && data !== null) {
    const r = data as { low?: QuantityData; high?: QuantityData };
    const low = numberOrNull(r.low?.value);
    const high = numberOrNull(r.high?.value);
    if (low !== null || high !== null) rows.number.push({ param, low, high, grp });
    return;
  }
  const value = numberText(data);
  if (value !== null) rows.number.push({ param, low: value, high: value, grp });
}

function addQuantity(rows: IndexRows, param: string, dataType: string, data: unknown, grp: number | null): void {
  if (typeof data !== 'object' || data === null) return;
  if (dataType === 'Range') {
    const r = data as { low?: QuantityData; high?: QuantityData };
    const unitOf = r.low ?? r.high ?? {};
    rows.quantity.push({
      param, system: unitOf.system ?? null, code: unitOf.code ?? null, unit: unitOf.unit ?? null,
      low: numberOrNull(r.low?.value), high: numberOrNull(r.high?.value), grp,
    });
    return;
  }
  const q = data as QuantityData;
  if (typeof q.value !== 'number') return;
  if (dataType === 'Money') {
    rows.quantity.push({ param, system: 'urn:iso:std:iso:4217', code: q.currency ?? null, unit: q.currency ?? null, low: String(q.value), high: String(q.value), grp });
    return;
  }
  rows.quantity.push({ param, system: q.system ?? null, code: q.code ?? null, unit: q.unit ?? null, low: String(q.value), high: String(q.value), grp });
}

/** Location.position as two number rows that `near` searches (see near-sql.ts). */
function addPosition(rows: IndexRows, data: unknown): void {
  const position = data as { latitude?: unknown; longitude?: unknown } | null;
  const latitude = numberText(position?.latitude);
  const longitude = numberText(position?.longitude);
  if (latitude === null || longitude === null) return;
  rows.number.push({ param: nearLatitude, low: latitude, high: latitude, grp: null });
  rows.number.push({ param: nearLongitude, low: longitude, high: longitude, grp: null });
}

function numberOrNull(value: number | undefined): string | null {
  return typeof value === 'number' ? String(value) : null;
}
