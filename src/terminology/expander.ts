import type { FhirRepository } from '../fhir/repository/fhir-repository.ts';
import type { CodeSystemIndex } from './code-system-index.ts';
import { terminologyErrors } from './terminology-errors.ts';
import { remember, type Resolved, type TerminologySource, type TerminologyType } from './terminology-source.ts';
import type { CodeSystemResource, Designation, ExpansionContains, ValueSetFilter, ValueSetInclude, ValueSetResource } from './terminology-types.ts';
import { WordIndex } from './word-index.ts';

export interface ExpansionItem {
  system: string;
  version?: string;
  code: string;
  display?: string;
  definition?: string;
  designation: Designation[];
  abstract: boolean;
  inactive: boolean;
  /** Codes of this concept's parents in its code system, for nested (hierarchical) expansions. */
  parentCodes: string[];
}

/** What an expansion was computed from, re-checked before a cached expansion is reused. */
interface Dependency {
  type: TerminologyType;
  url: string;
  version?: string;
  key: string;
}

/** The full, unpaged expansion of a ValueSet; filters and pages are cut from it per request. */
export class Expansion {
  readonly items: ExpansionItem[];
  readonly dependencies: Dependency[];
  private members?: Map<string, number>;
  private words?: WordIndex;

  constructor(items: ExpansionItem[], dependencies: Dependency[]) {
    this.items = items;
    this.dependencies = dependencies;
  }

  find(system: string, code: string): ExpansionItem | undefined {
    this.members ??= new Map(this.items.map((item, i) => [`${item.system}|${item.code}`, i]));
    const i = this.members.get(`${system}|${code}`);
    return i === undefined ? undefined : this.items[i];
  }

  /** Positions of the items matching a text filter, through a word index built on first use. */
  search(filter: string): number[] {
    this.words ??= new WordIndex(this.items.map((i) => [i.code, i.display ?? '', ...i.designation.map((d) => d.value)]));
    return this.words.search(filter);
  }
}

const cacheLimit = 200;

/**
 * Computes ValueSet expansions (extensional and intensional: concepts, filters, whole systems,
 * imported value sets, excludes) and caches them by the versions of everything they were built from.
 */
export class Expander {
  private readonly source: TerminologySource;
  private readonly cache = new Map<string, Expansion>();

  constructor(source: TerminologySource) {
    this.source = source;
  }

  async expand(repo: FhirRepository, vs: Resolved<ValueSetResource>, stack: string[] = []): Promise<Expansion> {
    const resource = vs.resource;
    const key = vs.key;
    const cached = this.cache.get(key);
    if (cached && await this.stillCurrent(repo, cached)) return cached;
    const name = resource.url ?? resource.id ?? 'inline ValueSet';
    if (stack.includes(name)) throw terminologyErrors.valueSetCycle(name);
    const expansion = await this.compute(repo, resource, [...stack, name]);
    remember(this.cache, key, expansion, cacheLimit);
    return expansion;
  }

  private async stillCurrent(repo: FhirRepository, expansion: Expansion): Promise<boolean> {
    for (const d of expansion.dependencies) {
      const now = await this.source.find(repo, d.type, d.url, d.version);
      if ((now?.key ?? 'absent') !== d.key) return false;
    }
    return true;
  }

  private async compute(repo: FhirRepository, vs: ValueSetResource, stack: string[]): Promise<Expansion> {
    const dependencies: Dependency[] = [];
    if (!vs.compose) {
      // A ValueSet that carries only its expansion (published pre-expanded) is that expansion.
      return new Expansion(flatten(vs.expansion?.contains ?? []), dependencies);
    }
    const included = new Map<string, ExpansionItem>();
    for (const include of vs.compose.include ?? []) {
      for (const item of await this.includeItems(repo, include, dependencies, stack)) {
        const k = `${item.system}|${item.code}`;
        if (!included.has(k)) included.set(k, item);
      }
    }
    for (const exclude of vs.compose.exclude ?? []) {
      for (const item of await this.includeItems(repo, exclude, dependencies, stack)) included.delete(`${item.system}|${item.code}`);
    }
    let items = [...included.values()];
    if (vs.compose.inactive === false) items = items.filter((i) => !i.inactive);
    return new Expansion(items, dependencies);
  }

  private async includeItems(repo: FhirRepository, include: ValueSetInclude, dependencies: Dependency[], stack: string[]): Promise<ExpansionItem[]> {
    const imported: Expansion[] = [];
    for (const url of include.valueSet ?? []) {
      const vs = await this.source.find<ValueSetResource>(repo, 'ValueSet', url);
      if (!vs) throw terminologyErrors.unknownValueSet(url);
      dependencies.push({ type: 'ValueSet', url, key: vs.key });
      const expansion = await this.expand(repo, vs, stack);
      dependencies.push(...expansion.dependencies);
      imported.push(expansion);
    }
    const inAll = (item: ExpansionItem) => imported.every((e) => e.find(item.system, item.code) !== undefined);
    if (!include.system) return imported.length === 0 ? [] : imported[0].items.filter(inAll);
    return (await this.systemItems(repo, include, dependencies)).filter(inAll);
  }

  private async systemItems(repo: FhirRepository, include: ValueSetInclude, dependencies: Dependency[]): Promise<ExpansionItem[]> {
    const system = include.system as string;
    const cs = await this.source.find<CodeSystemResource>(repo, 'CodeSystem', system, include.version);
    if (cs) dependencies.push({ type: 'CodeSystem', url: system, version: include.version, key: cs.key });
    else dependencies.push({ type: 'CodeSystem', url: system, version: include.version, key: 'absent' });
    const index = cs ? this.source.index(cs) : undefined;
    const version = cs?.resource.version ?? include.version;
    if (include.concept) {
      // An enumerated concept from a system the server does not hold is taken as the ValueSet states it.
      const out: ExpansionItem[] = [];
      for (const c of include.concept) {
        const known = index?.get(c.code);
        if (index && !known && cs?.resource.content === 'complete') continue;
        out.push({
          system, version, code: c.code, display: c.display ?? known?.display, definition: known?.definition,
          designation: [...(c.designation ?? []), ...(known?.designation ?? [])], abstract: known?.abstract ?? false, inactive: known?.inactive ?? false,
          parentCodes: known ? known.parents.map((p) => index!.concepts[p].code) : [],
        });
      }
      return out;
    }
    if (!cs || !index) throw terminologyErrors.unknownCodeSystem(system, include.version);
    if (cs.resource.content === 'not-present') throw terminologyErrors.contentNotPresent(system);
    let positions: number[] = index.concepts.map((_, i) => i);
    for (const filter of include.filter ?? []) positions = applyFilter(index, filter, positions);
    return positions.map((p) => itemOf(index, system, version, p));
  }
}

function itemOf(index: CodeSystemIndex, system: string, version: string | undefined, position: number): ExpansionItem {
  const c = index.concepts[position];
  return {
    system, version, code: c.code, display: c.display, definition: c.definition, designation: c.designation,
    abstract: c.abstract, inactive: c.inactive, parentCodes: c.parents.map((p) => index.concepts[p].code),
  };
}

function flatten(contains: ExpansionContains[]): ExpansionItem[] {
  return contains.flatMap((c) => [
    ...(c.code && c.system ? [{
      system: c.system, version: c.version, code: c.code, display: c.display, designation: c.designation ?? [],
      abstract: c.abstract ?? false, inactive: c.inactive ?? false, parentCodes: [],
    }] : []),
    ...flatten(c.contains ?? []),
  ]);
}

/** One compose filter over a code system's concepts (already narrowed by earlier filters: they AND). */
export function applyFilter(index: CodeSystemIndex, filter: ValueSetFilter, positions: number[]): number[] {
  const { property, op, value } = filter;
  const keep = (test: (p: number) => boolean) => positions.filter(test);
  if (property === 'concept' || property === 'code') {
    const at = index.position(value);
    switch (op) {
      case 'is-a': {
        if (at === undefined) return [];
        const set = index.descendants(at).add(at);
        return keep((p) => set.has(p));
      }
      case 'descendent-of': {
        if (at === undefined) return [];
        const set = index.descendants(at);
        return keep((p) => set.has(p));
      }
      case 'is-not-a': {
        if (at === undefined) return positions;
        const set = index.descendants(at).add(at);
        return keep((p) => !set.has(p));
      }
      case 'generalizes': {
        if (at === undefined) return [];
        const set = index.ancestors(at).add(at);
        return keep((p) => set.has(p));
      }
      case '=':
        return at === undefined ? [] : keep((p) => p === at);
      case 'in':
      case 'not-in': {
        const set = new Set(value.split(',').map((c) => index.position(c.trim())).filter((p) => p !== undefined));
        return keep((p) => set.has(p) === (op === 'in'));
      }
      case 'regex': {
        const re = regex(value);
        return keep((p) => re.test(index.concepts[p].code));
      }
      default:
        throw terminologyErrors.unsupportedFilter(property, op);
    }
  }
  const values = (p: number) => (property === 'display' ? [index.concepts[p].display ?? ''] : index.propertyValues(p, property));
  switch (op) {
    case '=':
      return keep((p) => values(p).includes(value));
    case 'in':
    case 'not-in': {
      const wanted = new Set(value.split(',').map((v) => v.trim()));
      return keep((p) => values(p).some((v) => wanted.has(v)) === (op === 'in'));
    }
    case 'regex': {
      const re = regex(value);
      return keep((p) => values(p).some((v) => re.test(v)));
    }
    case 'exists':
      return keep((p) => (values(p).length > 0) === (value !== 'false'));
    default:
      throw terminologyErrors.unsupportedFilter(property, op);
  }
}

/** FHIR's regex filter matches the whole value. */
function regex(value: string): RegExp {
  try {
    return new RegExp(`^(?:${value})$`, 'u');
  } catch (error) {
    throw terminologyErrors.invalidRegex(value, (error as Error).message);
  }
}
