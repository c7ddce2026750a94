/**
 * Test support for search-conformance.test.ts: an independent reading of R4 search semantics
 * (§3.1.1.4–5) over the values that a SearchParameter's own FHIRPath expression selects.
 *
 * The engine indexes values into SQL tables and matches there; this module matches in memory, straight
 * from the FHIRPath results, so the two can be compared resource by resource. It is deliberately plain:
 * no shared code with the engine beyond fhirpath.js itself.
 */
import fhirpath from 'fhirpath';
import r4Model from 'fhirpath/fhir-context/r4/index.mjs';

/** One value an expression selected, with its FHIR data type. */
export interface Value {
  data: any;
  type: string;
  /** The model path of the node, for evaluating composite components relative to it. */
  path?: string;
}

/**
 * `resolve()` in the spec's expressions (e.g. `subject.where(resolve() is Patient)`) fetches the target.
 * Search indexes cannot depend on whether a target exists yet, so the oracle answers every literal
 * reference `…/Type/id` with a resource of that type; contained (`#id`) references fhirpath.js resolves
 * itself.
 */
export const resolverBase = 'http://resolver.invalid/fhir';

export function resolverFetch(passThrough: (url: string) => boolean, realFetch: typeof fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (passThrough(url)) return realFetch(input, init);
    let path = url;
    try {
      path = new URL(url).pathname;
    } catch { /* not a URL: use as is */ }
    const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(path);
    if (!m) return new Response('{}', { status: 404 });
    return new Response(JSON.stringify({ resourceType: m[1], id: m[2] }), { status: 200, headers: { 'content-type': 'application/fhir+json' } });
  }) as typeof fetch;
}

/** Errata of R4 expressions that fhirpath.js (rightly) evaluates to nothing. */
export function fixSpecExpression(expression: string): string {
  // Observation code-value-date: `value.as(DateTime)` names the System type, which a FHIR dateTime is not.
  return expression.replace(/\.as\(DateTime\)/g, '.as(dateTime)');
}

/**
 * `(X as T)` and `X.as(T)` are errors in FHIRPath when X holds several items (Observation.component.value,
 * useContext.value); R5 rewrote these expressions with `ofType(T)`, which is what R4 meant. Used only for
 * the resources on which the R4 expression itself fails.
 */
export function r5OfType(expression: string): string {
  return expression.replace(/\(([A-Za-z.]+) as ([A-Za-z]+)\)/g, '$1.ofType($2)').replace(/\.as\(([A-Za-z]+)\)/g, '.ofType($1)');
}

/** The top-level alternatives of a `a | b | c` expression. */
export function unionParts(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && ch === '|') {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts;
}

/** %resource is the resource being searched (FHIRPath for search); fhirpath.js leaves it to the caller. */
export async function evaluate(data: unknown, expression: string, resource: unknown, base?: string): Promise<Value[]> {
  const result = await fhirpath.evaluate(data as Record<string, unknown>, base ? { base, expression } : expression, { resource } as Record<string, unknown>, r4Model,
    { async: true, resolveInternalTypes: false, fhirServerUrl: resolverBase }) as unknown[];
  return result.map((n) => {
    const node = n as { data?: unknown; fhirNodeDataType?: string; path?: string };
    if (n !== null && typeof n === 'object' && 'data' in node && 'path' in node) {
      return { data: node.data, type: node.fhirNodeDataType ?? typeof node.data, path: node.path };
    }
    return { data: n, type: typeof n };
  });
}

// ---------------------------------------------------------------------------------------------------
// What each kind of value offers to search

export function normalize(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

export interface TokenPair { system?: string; code: string }

export function tokenPairs(v: Value): TokenPair[] {
  const d = v.data;
  switch (v.type) {
    case 'Coding': return d.code ? [{ system: d.system, code: d.code }] : [];
    case 'CodeableConcept': return (d.coding ?? []).filter((c: any) => c.code).map((c: any) => ({ system: c.system, code: c.code }));
    case 'Identifier': return d.value ? [{ system: d.system, code: d.value }] : [];
    case 'ContactPoint': return d.value ? [{ code: d.value }] : [];
    default:
      return typeof d === 'string' || typeof d === 'boolean' || typeof d === 'number' ? [{ code: String(d) }] : [];
  }
}

/** The text :text searches: Coding.display, CodeableConcept.text, Identifier.type.text. */
export function tokenTexts(v: Value): string[] {
  const d = v.data;
  switch (v.type) {
    case 'Coding': return d.display ? [d.display] : [];
    case 'CodeableConcept': return [...(d.coding ?? []).map((c: any) => c.display), d.text].filter(Boolean);
    case 'Identifier': return d.type?.text ? [d.type.text] : [];
    default: return [];
  }
}

/** Identifier type codings paired with the value, for :of-type. */
export function identifierTypes(v: Value): { system?: string; code: string; value: string }[] {
  if (v.type !== 'Identifier' || !v.data.value) return [];
  return (v.data.type?.coding ?? []).filter((c: any) => c.code).map((c: any) => ({ system: c.system, code: c.code, value: v.data.value }));
}

/** The string parts a string parameter searches (R4 §3.1.1.4.6: every string element of HumanName and Address). */
export function stringParts(v: Value): string[] {
  const d = v.data;
  if (typeof d === 'string') return [d];
  if (v.type === 'HumanName') return [d.text, d.family, ...(d.given ?? []), ...(d.prefix ?? []), ...(d.suffix ?? [])].filter(Boolean);
  if (v.type === 'Address') return [d.text, ...(d.line ?? []), d.city, d.district, d.state, d.postalCode, d.country].filter(Boolean);
  return [];
}

export interface ReferenceValue { reference?: string; identifier?: { system?: string; value?: string }; canonical: boolean }

export function references(v: Value): ReferenceValue[] {
  const d = v.data;
  if (typeof d === 'string') return [{ reference: d, canonical: true }];
  if (d && typeof d === 'object' && (d.reference || d.identifier)) return [{ reference: d.reference, identifier: d.identifier, canonical: false }];
  return [];
}

/** `Type/id` (optionally `/_history/n`) as written relative to the server; undefined for anything else. */
export function relativeReference(reference: string): { type: string; id: string } | undefined {
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/.exec(reference);
  return m ? { type: m[1], id: m[2] } : undefined;
}

export type Range = [low: number, high: number];

/** The period a FHIR date/dateTime/instant covers at its precision, in ms since the epoch, both ends inclusive. */
export function dateRange(s: string): Range | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, tz] = m;
  if (!mo) return [Date.UTC(+y, 0, 1), Date.UTC(+y + 1, 0, 1) - 1];
  if (!d) return [Date.UTC(+y, +mo - 1, 1), Date.UTC(+y, +mo, 1) - 1];
  if (!h) return [Date.UTC(+y, +mo - 1, +d), Date.UTC(+y, +mo - 1, +d + 1) - 1];
  const low = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec ?? '00'}${frac ? `.${frac.slice(0, 3).padEnd(3, '0')}` : ''}${tz ?? 'Z'}`);
  return [low, low + (frac ? 1 : sec ? 1000 : 60_000) - 1];
}

export function dateRanges(v: Value): Range[] {
  const d = v.data;
  if (typeof d === 'string') {
    const r = dateRange(d);
    return r ? [r] : [];
  }
  if (v.type === 'Period') {
    const low = d.start ? dateRange(d.start)?.[0] : -Infinity;
    const high = d.end ? dateRange(d.end)?.[1] : Infinity;
    return low !== undefined && high !== undefined && (d.start || d.end) ? [[low, high]] : [];
  }
  if (v.type === 'Timing') return (d.event ?? []).flatMap((e: string) => dateRanges({ data: e, type: 'dateTime' }));
  return [];
}

export interface QuantityValue { low: number; high: number; system?: string; code?: string; unit?: string }

/**
 * Quantity-like values. SampledData is left out: it is a series of readings, not one value, and R4 does
 * not say what a quantity search on it means.
 */
export function quantities(v: Value): QuantityValue[] {
  const d = v.data;
  if (v.type === 'Range') {
    const unitOf = d.low ?? d.high ?? {};
    if (typeof d.low?.value !== 'number' && typeof d.high?.value !== 'number') return [];
    return [{ low: d.low?.value ?? -Infinity, high: d.high?.value ?? Infinity, system: unitOf.system, code: unitOf.code, unit: unitOf.unit }];
  }
  if (['Quantity', 'Age', 'Duration', 'Distance', 'Count', 'SimpleQuantity', 'MoneyQuantity'].includes(v.type) && typeof d.value === 'number') {
    return [{ low: d.value, high: d.value, system: d.system, code: d.code, unit: d.unit }];
  }
  if (typeof d === 'number') return [{ low: d, high: d }];
  // fhirpath.js wraps decimals and integers in an object holding the value and the digits as written.
  if (d && typeof d === 'object' && typeof d.value === 'number' && 'asStr' in d) return [{ low: d.value, high: d.value }];
  return [];
}

export function uris(v: Value): string[] {
  return typeof v.data === 'string' ? [v.data] : [];
}

/** Whether the values give the parameter anything to search on (for :missing). */
export function hasSearchableValue(type: string, values: Value[]): boolean {
  return values.some((v) => {
    switch (type) {
      case 'token': return tokenPairs(v).length > 0 || tokenTexts(v).length > 0;
      case 'string': return stringParts(v).length > 0;
      case 'reference': return references(v).length > 0;
      case 'date': return dateRanges(v).length > 0;
      case 'quantity': case 'number': return quantities(v).length > 0;
      case 'uri': return uris(v).length > 0;
      default: return false;
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Matching: one search value against the values of one resource

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb';

/** R4 §3.1.1.4.2: how the range of a resource's value relates to the range of the search value. */
export function rangeMatches(prefix: Prefix, [low, high]: Range, [lo, hi]: Range): boolean {
  const within = low >= lo && high <= hi;
  switch (prefix) {
    case 'eq': return within;
    case 'ne': return !within;
    case 'gt': return high > hi;
    case 'lt': return low < lo;
    case 'ge': return high > hi || within;
    case 'le': return low < lo || within;
    case 'sa': return low > hi;
    case 'eb': return high < lo;
  }
}

/** An exact decimal m × 10^e, so that comparisons at the edge of a precision are not blurred by binary floating point. */
interface Decimal { m: bigint; e: number }

function decimal(written: string): Decimal {
  const [mantissa, exponent = '0'] = written.toLowerCase().split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  return { m: BigInt(`${whole}${fraction}`.replace(/^\+/, '')), e: Number(exponent) - fraction.length };
}

function compare(a: Decimal, b: Decimal): number {
  const e = Math.min(a.e, b.e);
  const x = a.m * 10n ** BigInt(a.e - e);
  const y = b.m * 10n ** BigInt(b.e - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

const decimalOf = (n: number): Decimal => (Number.isFinite(n) ? decimal(String(n)) : { m: n > 0 ? 1n : -1n, e: 100_000 });

/**
 * R4 §3.1.1.4.1: a number as written implies its precision, "100" is [99.5, 100.5), "100.0" is
 * [99.95, 100.05), "1e2" is [50, 150). Prefixes other than eq/ne compare with the value itself.
 */
export function quantityMatches(prefix: Prefix, q: QuantityValue, written: string): boolean {
  const v = decimal(written);
  const lo = { m: v.m * 10n - 5n, e: v.e - 1 };
  const hi = { m: v.m * 10n + 5n, e: v.e - 1 };
  const low = decimalOf(q.low);
  const high = decimalOf(q.high);
  const within = compare(low, lo) >= 0 && compare(high, hi) < 0;
  switch (prefix) {
    case 'eq': return within;
    case 'ne': return !within;
    case 'gt': return compare(high, v) > 0;
    case 'lt': return compare(low, v) < 0;
    case 'ge': return compare(high, v) >= 0;
    case 'le': return compare(low, v) <= 0;
    case 'sa': return compare(low, v) > 0;
    case 'eb': return compare(high, v) < 0;
  }
}

/** Escapes the characters that separate search values (R4 §3.1.1.5.7). */
export function escapeSearchValue(s: string): string {
  return s.replace(/[\\,$|]/g, (m) => `\\${m}`);
}
