/**
 * Search conformance against the specification's own data: every official R4 example of a set of
 * clinical and administrative types is stored, and for each of their search parameters, values that
 * really occur are searched over HTTP. The expected ids come from the SearchParameter's own FHIRPath
 * expression, evaluated with fhirpath.js on each example and matched in memory by conformance-oracle.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { packageFileNames, readPackageFile } from '../definitions/examples-package.ts';
import type { SearchParameterResource } from '../definitions/search-parameters.ts';
import { testDatabaseKinds } from '../../test-support/test-databases.ts';
import { startTestServer, type TestServer } from '../../test-support/test-server.ts';
import {
  dateRange, dateRanges, escapeSearchValue, evaluate, fixSpecExpression, hasSearchableValue, identifierTypes, normalize,
  quantities, quantityMatches, r5OfType, rangeMatches, references, relativeReference, resolverFetch, stringParts, tokenPairs, tokenTexts, unionParts, uris,
  type Prefix, type Value,
} from './conformance-oracle.ts';

const conformanceTypes = [
  'Patient', 'Practitioner', 'Organization', 'Observation', 'Condition', 'Encounter', 'MedicationRequest', 'Immunization',
  'AllergyIntolerance', 'Procedure', 'DiagnosticReport', 'Location', 'ServiceRequest', 'CarePlan',
  // For number parameters (probability, variant-start…) and composites with %resource.
  'RiskAssessment', 'MolecularSequence',
];

/** Parameters left out, and why. Parameters without an expression (_text, _content, _query) have nothing to check. */
const excluded: Record<string, string> = {
  // The server sets meta.lastUpdated on every write, so the examples' own values are not what is stored.
  _lastUpdated: 'server-assigned',
  // R4 leaves the phonetic algorithm to the server; there is no expected result to compute.
  phonetic: 'algorithm not defined by the specification',
  // type special: distance from Location.position needs the server's geodesy, not a FHIRPath result.
  near: 'special parameter',
};

/** At most this many distinct values are searched per parameter (and per modifier). */
const valuesPerParam = 4;

interface Example { id: string; resource: Record<string, unknown> }

interface Check {
  resourceType: string;
  param: string;
  paramType: string;
  /** The query string after `Type?`. */
  query: string;
  expected: string[];
}

function refusedExampleFiles(): Set<string> {
  const file = new URL('../validation/refused-examples.json', import.meta.url);
  if (!existsSync(file)) return new Set();
  const list = JSON.parse(readFileSync(file, 'utf8')) as (string | { file: string })[];
  return new Set(list.map((e) => (typeof e === 'string' ? e : e.file)));
}

function exampleFiles(): string[] {
  return packageFileNames().filter((f) => conformanceTypes.some((t) => f.startsWith(`${t}-`)));
}

function searchParameterDefinitions(): SearchParameterResource[] {
  const bundle = readPackageFile<{ entry: { resource: SearchParameterResource }[] }>('Bundle-searchParams.json');
  return bundle.entry.map((e) => e.resource);
}

/** Spreads the picks over the sorted candidates, so that both frequent and rare values are searched. */
function pick<T>(candidates: Map<string, T>, n = valuesPerParam): T[] {
  const keys = [...candidates.keys()].sort();
  if (keys.length <= n) return keys.map((k) => candidates.get(k) as T);
  return Array.from({ length: n }, (_, i) => candidates.get(keys[Math.floor((i * keys.length) / n)]) as T);
}

const tokenValue = (system: string | undefined, code: string) =>
  system === undefined ? escapeSearchValue(code) : `${escapeSearchValue(system)}|${escapeSearchValue(code)}`;

/**
 * One search value and the predicate the specification gives it, over the values the parameter's
 * expression selects in one resource. `:not` and `:missing` are whole-resource predicates.
 */
interface Probe { modifier?: string; value: string; matches: (values: Value[]) => boolean }

function tokenProbes(all: Value[][]): Probe[] {
  const probes: Probe[] = [];
  const pairs = new Map<string, { system?: string; code: string }>();
  const systems = new Map<string, string>();
  const texts = new Map<string, string>();
  const ofType = new Map<string, { system?: string; code: string; value: string }>();
  for (const values of all) {
    for (const v of values) {
      for (const p of tokenPairs(v)) {
        pairs.set(`${p.system}|${p.code}`, p);
        if (p.system) systems.set(p.system, p.system);
      }
      for (const t of tokenTexts(v)) texts.set(t, t);
      for (const t of identifierTypes(v)) ofType.set(`${t.system}|${t.code}|${t.value}`, t);
    }
  }
  const anyPair = (values: Value[], test: (p: { system?: string; code: string }) => boolean) => values.some((v) => tokenPairs(v).some(test));
  for (const p of pick(pairs)) {
    if (p.system !== undefined) {
      probes.push({ value: tokenValue(p.system, p.code), matches: (vs) => anyPair(vs, (q) => q.system === p.system && q.code === p.code) });
    } else {
      probes.push({ value: `|${escapeSearchValue(p.code)}`, matches: (vs) => anyPair(vs, (q) => q.system === undefined && q.code === p.code) });
    }
    probes.push({ value: escapeSearchValue(p.code), matches: (vs) => anyPair(vs, (q) => q.code === p.code) });
  }
  for (const system of pick(systems, 2)) probes.push({ value: `${escapeSearchValue(system)}|`, matches: (vs) => anyPair(vs, (q) => q.system === system) });
  for (const p of pick(pairs, 2)) {
    const value = p.system === undefined ? `|${escapeSearchValue(p.code)}` : tokenValue(p.system, p.code);
    probes.push({ modifier: 'not', value, matches: (vs) => !anyPair(vs, (q) => q.system === p.system && q.code === p.code) });
  }
  for (const text of pick(texts, 3)) {
    // Searched in upper case: the match is on the text the server receives, normalised.
    const sent = text.slice(0, Math.max(3, Math.ceil(text.length / 2))).toUpperCase();
    probes.push({ modifier: 'text', value: escapeSearchValue(sent), matches: (vs) => vs.some((v) => tokenTexts(v).some((t) => normalize(t).startsWith(normalize(sent)))) });
  }
  for (const t of pick(ofType, 2)) {
    probes.push({
      modifier: 'of-type', value: `${escapeSearchValue(t.system ?? '')}|${escapeSearchValue(t.code)}|${escapeSearchValue(t.value)}`,
      matches: (vs) => vs.some((v) => identifierTypes(v).some((u) => u.system === t.system && u.code === t.code && u.value === t.value)),
    });
  }
  return probes;
}

function stringProbes(all: Value[][]): Probe[] {
  const strings = new Map<string, string>();
  for (const values of all) for (const v of values) for (const s of stringParts(v)) strings.set(s, s);
  const parts = (vs: Value[]) => vs.flatMap(stringParts);
  return pick(strings).flatMap((s): Probe[] => {
    const prefix = s.slice(0, Math.max(2, Math.ceil(s.length / 2))).toUpperCase();
    const middle = s.length > 4 ? s.slice(1, 4) : s;
    return [
      // Default: starts-with, case- and accent-insensitive; searched in upper case to prove it.
      { value: escapeSearchValue(prefix), matches: (vs) => parts(vs).some((p) => normalize(p).startsWith(normalize(prefix))) },
      { modifier: 'exact', value: escapeSearchValue(s), matches: (vs) => parts(vs).includes(s) },
      { modifier: 'contains', value: escapeSearchValue(middle), matches: (vs) => parts(vs).some((p) => normalize(p).includes(normalize(middle))) },
    ];
  });
}

function referenceProbes(all: Value[][]): Probe[] {
  const relative = new Map<string, { type: string; id: string }>();
  const absolute = new Map<string, string>();
  const identifiers = new Map<string, { system?: string; value: string }>();
  for (const values of all) {
    for (const v of values) {
      for (const r of references(v)) {
        const rel = r.reference && !r.canonical ? relativeReference(r.reference) : undefined;
        if (rel) relative.set(`${rel.type}/${rel.id}`, rel);
        else if (r.reference && !r.reference.startsWith('#')) absolute.set(r.reference.split('|')[0], r.reference.split('|')[0]);
        if (r.identifier?.value) identifiers.set(`${r.identifier.system}|${r.identifier.value}`, { system: r.identifier.system, value: r.identifier.value });
      }
    }
  }
  const refs = (vs: Value[]) => vs.flatMap(references);
  const relOf = (ref: { reference?: string; canonical: boolean }) => (ref.reference && !ref.canonical ? relativeReference(ref.reference) : undefined);
  const probes: Probe[] = [];
  for (const r of pick(relative)) {
    const same = (vs: Value[]) => refs(vs).some((x) => relOf(x)?.type === r.type && relOf(x)?.id === r.id);
    probes.push({ value: `${r.type}/${r.id}`, matches: same });
    probes.push({ modifier: r.type, value: r.id, matches: same });
    probes.push({ value: r.id, matches: (vs) => refs(vs).some((x) => relOf(x)?.id === r.id) });
  }
  for (const url of pick(absolute)) {
    probes.push({ value: escapeSearchValue(url), matches: (vs) => refs(vs).some((x) => x.reference === url || !!x.reference?.startsWith(`${url}|`)) });
  }
  for (const i of pick(identifiers, 2)) {
    probes.push({
      modifier: 'identifier', value: tokenValue(i.system, i.value),
      matches: (vs) => refs(vs).some((x) => x.identifier?.value === i.value && x.identifier?.system === i.system),
    });
  }
  return probes;
}

const datePrefixes: Prefix[] = ['ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'];

function dateProbes(all: Value[][]): Probe[] {
  const written = new Map<string, string>();
  for (const values of all) {
    for (const v of values) {
      const d = v.data;
      for (const s of typeof d === 'string' ? [d] : v.type === 'Period' ? [d.start, d.end] : v.type === 'Timing' ? d.event ?? [] : []) {
        if (typeof s === 'string' && dateRange(s)) written.set(s, s);
      }
    }
  }
  const probe = (prefix: Prefix, value: string): Probe => {
    const range = dateRange(value);
    assert.ok(range, value);
    return { value: `${prefix === 'eq' ? '' : prefix}${value}`, matches: (vs) => vs.flatMap(dateRanges).some((r) => rangeMatches(prefix, r, range)) };
  };
  return pick(written).flatMap((s) => {
    const precisions = [...new Set([s.slice(0, 4), s.slice(0, 7), s.slice(0, 10), s])].filter((p) => dateRange(p));
    const day = s.length >= 10 ? s.slice(0, 10) : s;
    return [...precisions.map((p) => probe('eq', p)), ...datePrefixes.map((prefix) => probe(prefix, day))];
  });
}

function quantityProbes(all: Value[][]): Probe[] {
  const found = new Map<string, { value: number; system?: string; code?: string; unit?: string }>();
  for (const values of all) {
    for (const v of values) {
      for (const q of quantities(v)) if (q.low === q.high) found.set(`${q.low}|${q.system}|${q.code}`, { value: q.low, system: q.system, code: q.code, unit: q.unit });
    }
  }
  const probes: Probe[] = [];
  const any = (vs: Value[], test: (q: ReturnType<typeof quantities>[number]) => boolean) => vs.flatMap(quantities).some(test);
  for (const q of pick(found)) {
    const n = String(q.value);
    if (q.system && q.code) {
      probes.push({ value: `${n}|${escapeSearchValue(q.system)}|${escapeSearchValue(q.code)}`, matches: (vs) => any(vs, (x) => quantityMatches('eq', x, n) && x.system === q.system && x.code === q.code) });
    }
    const unit = q.code ?? q.unit;
    if (unit) probes.push({ value: `${n}||${escapeSearchValue(unit)}`, matches: (vs) => any(vs, (x) => quantityMatches('eq', x, n) && (x.code === unit || x.unit === unit)) });
    for (const prefix of ['eq', 'gt', 'le'] as Prefix[]) {
      probes.push({ value: `${prefix === 'eq' ? '' : prefix}${n}`, matches: (vs) => any(vs, (x) => quantityMatches(prefix, x, n)) });
    }
  }
  return probes;
}

function uriProbes(all: Value[][]): Probe[] {
  const found = new Map<string, string>();
  for (const values of all) for (const v of values) for (const u of uris(v)) found.set(u, u);
  const any = (vs: Value[], test: (u: string) => boolean) => vs.flatMap(uris).some(test);
  return pick(found).flatMap((u): Probe[] => {
    const parent = u.includes('/') ? u.slice(0, u.lastIndexOf('/') + 1) : u;
    const child = `${u}/more`;
    return [
      // A canonical searched without |version matches every version of it.
      { value: escapeSearchValue(u), matches: (vs) => any(vs, (x) => x === u || (!u.includes('|') && x.startsWith(`${u}|`))) },
      { modifier: 'below', value: escapeSearchValue(parent), matches: (vs) => any(vs, (x) => x.startsWith(parent)) },
      { modifier: 'above', value: escapeSearchValue(child), matches: (vs) => any(vs, (x) => child.startsWith(x)) },
    ];
  });
}

function missingProbes(type: string): Probe[] {
  return [
    { modifier: 'missing', value: 'true', matches: (vs) => !hasSearchableValue(type, vs) },
    { modifier: 'missing', value: 'false', matches: (vs) => hasSearchableValue(type, vs) },
  ];
}

const probesByType: Record<string, (all: Value[][]) => Probe[]> = {
  token: tokenProbes, string: stringProbes, reference: referenceProbes, date: dateProbes, quantity: quantityProbes, number: quantityProbes, uri: uriProbes,
};

/** A composite value and, per component, the predicate its part gives. */
interface CompositeProbe { value: string; parts: ((values: Value[]) => boolean)[] }

/**
 * Composite values taken from components found together in one base node: a composite matches only
 * when every part matches within the same base node (e.g. the same Observation.component).
 * `tuples` holds, per resource, per base node, per component, the values selected.
 */
function compositeProbes(componentTypes: string[], tuples: Value[][][][]): CompositeProbe[] {
  const found = new Map<string, CompositeProbe>();
  for (const perResource of tuples) {
    for (const tuple of perResource) {
      const chosen = tuple.map((values, j) => {
        const probes = (probesByType[componentTypes[j]]?.([values]) ?? []).filter((p) => !p.modifier && !/^(ne|gt|lt|ge|le|sa|eb)\d/.test(p.value));
        return probes.find((p) => p.value.includes('|')) ?? probes[0];
      });
      if (chosen.some((c) => c === undefined)) continue;
      const value = chosen.map((c) => c.value.replace(/\$/g, '\\$')).join('$');
      found.set(value, { value, parts: chosen.map((c) => c.matches) });
    }
  }
  return pick(found);
}

/**
 * How each parameter's expression had to be evaluated where fhirpath.js refuses the R4 text as a whole:
 * - "union": `a | b` de-duplicates with deep equality, which fhirpath.js cannot do for a Quantity with a
 *   comparator ("Cannot convert a FHIR.Quantity that has a comparator"); the alternatives are evaluated
 *   one by one instead, which selects the same values.
 * - "ofType": `(X as T)` on several items is an error (Observation.component.value); R5 corrected these
 *   expressions to `X.ofType(T)`, which is used for the alternatives that fail.
 */
const evaluationNotes = new Map<string, Set<string>>();

async function evaluateSpec(data: unknown, expression: string, param: string, resource: unknown, base?: string): Promise<Value[]> {
  const note = (what: string) => evaluationNotes.set(param, (evaluationNotes.get(param) ?? new Set()).add(what));
  try {
    return await evaluate(data, expression, resource, base);
  } catch {
    const parts = unionParts(expression);
    if (parts.length > 1) note('union');
    const results = await Promise.all(parts.map(async (part) => {
      try {
        return await evaluate(data, part, resource, base);
      } catch {
        note('ofType');
        return evaluate(data, r5OfType(part), resource, base);
      }
    }));
    return results.flat();
  }
}

/** Both databases store the same examples, so the expected results are computed once for both. */
const checksCache = new Map<string, Promise<{ checks: Check[]; params: string[] }>>();

function checksFor(stored: Map<string, Example[]>): Promise<{ checks: Check[]; params: string[] }> {
  const key = [...stored].map(([type, list]) => `${type}:${list.map((e) => e.id).join(',')}`).join(';');
  let checks = checksCache.get(key);
  if (!checks) checksCache.set(key, checks = buildChecks(stored));
  return checks;
}

async function buildChecks(stored: Map<string, Example[]>): Promise<{ checks: Check[]; params: string[] }> {
  const defs = searchParameterDefinitions();
  const byUrl = new Map(defs.map((d) => [d.url, d]));
  const checks: Check[] = [];
  const params: string[] = [];
  for (const resourceType of conformanceTypes) {
    const examples = stored.get(resourceType) ?? [];
    const applicable = defs.filter((d) => d.base.some((b) => b === resourceType || b === 'Resource' || b === 'DomainResource'));
    for (const def of applicable) {
      if (!def.expression || excluded[def.code] || def.type === 'special') continue;
      const name = `${resourceType}.${def.code}`;
      const expression = fixSpecExpression(def.expression);
      params.push(name);
      const add = (modifier: string | undefined, value: string, matches: (e: Example) => boolean) => {
        const key = modifier ? `${def.code}:${modifier}` : def.code;
        checks.push({
          resourceType, param: def.code, paramType: def.type, query: `${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
          expected: examples.filter(matches).map((e) => e.id).sort(),
        });
      };
      if (def.type === 'composite') {
        const components = def.component ?? [];
        const tuples = new Map<string, Value[][][]>();
        for (const e of examples) {
          const bases = await evaluateSpec(e.resource, expression, name, e.resource);
          tuples.set(e.id, await Promise.all(bases.map((b) =>
            Promise.all(components.map((c) => evaluateSpec(b.data, fixSpecExpression(c.expression), name, e.resource, b.path))))));
        }
        const componentTypes = components.map((c) => byUrl.get(c.definition)?.type ?? 'unknown');
        for (const probe of compositeProbes(componentTypes, [...tuples.values()])) {
          add(undefined, probe.value, (e) => (tuples.get(e.id) ?? []).some((tuple) => probe.parts.every((test, j) => test(tuple[j]))));
        }
        continue;
      }
      const values = new Map<string, Value[]>();
      for (const e of examples) values.set(e.id, await evaluateSpec(e.resource, expression, name, e.resource));
      const probes = [...(probesByType[def.type]?.([...values.values()]) ?? []), ...missingProbes(def.type)];
      for (const probe of probes) add(probe.modifier, probe.value, (e) => probe.matches(values.get(e.id) ?? []));
    }
  }
  return { checks, params };
}

for (const kind of testDatabaseKinds) {
  describe(`search conformance with the R4 examples on ${kind.name}`, () => {
    let s: TestServer;
    const realFetch = globalThis.fetch;
    const stored = new Map<string, Example[]>();
    const refusedOnLoad: string[] = [];
    const skipped: string[] = [];

    before(async () => {
      s = await startTestServer(kind);
      globalThis.fetch = resolverFetch((url) => url.startsWith(s.origin), realFetch);
      const skip = refusedExampleFiles();
      for (const file of exampleFiles()) {
        if (skip.has(file)) {
          skipped.push(file);
          continue;
        }
        const resource = readPackageFile<Record<string, unknown> & { resourceType: string; id: string }>(file);
        const res = await s.fhir(`${resource.resourceType}/${resource.id}`, { method: 'PUT', body: resource });
        if (res.status >= 300) {
          refusedOnLoad.push(`${file}: ${res.body?.issue?.[0]?.diagnostics}`);
          continue;
        }
        const list = stored.get(resource.resourceType) ?? [];
        list.push({ id: resource.id, resource });
        stored.set(resource.resourceType, list);
      }
    });

    after(async () => {
      globalThis.fetch = realFetch;
      await s?.close();
    });

    test('the examples of every chosen type are stored', (t) => {
      for (const type of conformanceTypes) assert.ok((stored.get(type)?.length ?? 0) > 0, `no ${type} example stored`);
      const count = [...stored.values()].reduce((n, list) => n + list.length, 0);
      t.diagnostic(`${count} examples stored; ${skipped.length} skipped as listed in refused-examples.json (${skipped.join(', ')})`);
      if (refusedOnLoad.length > 0) t.diagnostic(`refused by the validator, left out: ${refusedOnLoad.join('; ')}`);
    });

    test('each search returns exactly the ids the SearchParameter expression selects', async (t) => {
      const { checks, params } = await checksFor(stored);
      const failures: string[] = [];
      const queue = [...checks];
      const worker = async () => {
        for (let check = queue.shift(); check; check = queue.shift()) {
          const res = await s.fhir(`${check.resourceType}?${check.query}&_count=1000&_elements=id`);
          if (res.status !== 200) {
            failures.push(`${check.resourceType}?${decodeURIComponent(check.query)} → ${res.status} ${res.body?.issue?.[0]?.diagnostics}`);
            continue;
          }
          const actual = (res.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
          if (JSON.stringify(actual) !== JSON.stringify(check.expected)) {
            const missing = check.expected.filter((id) => !actual.includes(id));
            const extra = actual.filter((id: string) => !check.expected.includes(id));
            failures.push(`${check.resourceType}?${decodeURIComponent(check.query)}: missing [${missing}] unexpected [${extra}]`);
          }
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      const byType = new Map<string, number>();
      for (const c of checks) byType.set(c.resourceType, (byType.get(c.resourceType) ?? 0) + 1);
      t.diagnostic(`${checks.length} checks over ${params.length} (type, parameter) pairs; ${checks.length - failures.length} passed`);
      const byParamType = new Map<string, number>();
      for (const c of checks) byParamType.set(c.paramType, (byParamType.get(c.paramType) ?? 0) + 1);
      t.diagnostic(`per parameter type: ${[...byParamType].map(([k, v]) => `${k} ${v}`).join(', ')}`);
      // Guard against an oracle that has stopped selecting anything: most probes use values that occur.
      const nonEmpty = checks.filter((c) => c.expected.length > 0).length;
      t.diagnostic(`${nonEmpty} checks expect at least one match`);
      assert.ok(nonEmpty > checks.length * 0.6, `only ${nonEmpty} of ${checks.length} checks expect a match`);
      t.diagnostic(`per type: ${[...byType].map(([k, v]) => `${k} ${v}`).join(', ')}`);
      for (const [param, notes] of evaluationNotes) t.diagnostic(`${param}: R4 expression refused by fhirpath.js on some examples, evaluated by ${[...notes].join(' and ')}`);
      assert.deepEqual(failures, [], `${failures.length} of ${checks.length} searches differ from the specification:\n${failures.slice(0, 80).join('\n')}`);
    });
  });
}
