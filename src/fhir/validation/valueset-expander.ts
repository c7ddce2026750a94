// In-memory ValueSet expansion from the ValueSets and CodeSystems shipped in the examples package.
//
// Supported compose features: `include`/`exclude` with enumerated `concept`s, whole CodeSystems (content
// `complete`), nested `valueSet` references (intersected, as the spec says), and filters on shipped
// hierarchical CodeSystems (`concept is-a | descendent-of | is-not-a | =`, `code regex`).
// A ValueSet that needs anything else (external code systems such as SNOMED CT / LOINC / UCUM / BCP-47,
// `fragment`/`example` CodeSystems, property filters) cannot be expanded: `expand()` returns undefined and the
// caller skips the binding. An `exclude` that cannot be expanded is ignored (the expansion is then a superset,
// which can only make the check more lenient, never refuse a valid code).

export interface CodeSystemConceptJson {
  code: string;
  concept?: CodeSystemConceptJson[];
}

export interface CodeSystemJson {
  resourceType: 'CodeSystem';
  url: string;
  content?: string;
  concept?: CodeSystemConceptJson[];
}

interface ConceptSetFilterJson {
  property?: string;
  op?: string;
  value?: string;
}

interface ConceptSetJson {
  system?: string;
  concept?: { code: string }[];
  filter?: ConceptSetFilterJson[];
  valueSet?: string[];
}

export interface ValueSetJson {
  resourceType: 'ValueSet';
  url: string;
  compose?: { include?: ConceptSetJson[]; exclude?: ConceptSetJson[] };
  expansion?: { total?: number; contains?: ExpansionContainsJson[] };
}

interface ExpansionContainsJson {
  system?: string;
  code?: string;
  contains?: ExpansionContainsJson[];
}

/** system URL -> codes. */
export type Expansion = ReadonlyMap<string, ReadonlySet<string>>;

type MutableExpansion = Map<string, Set<string>>;

/** Flattened, hierarchy-aware view of one complete CodeSystem. */
interface IndexedCodeSystem {
  codes: Set<string>;
  children: Map<string, string[]>;
}

export interface ValueSetExpander {
  /** Expansion of the ValueSet (canonical, `|version` ignored) or undefined when it cannot be expanded. */
  expand(url: string): Expansion | undefined;
}

export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

export function createValueSetExpander(valueSets: ValueSetJson[], codeSystems: CodeSystemJson[]): ValueSetExpander {
  const valueSetsByUrl = new Map(valueSets.map((vs) => [vs.url, vs]));
  const codeSystemsByUrl = new Map(codeSystems.map((cs) => [cs.url, cs]));
  const indexedCodeSystems = new Map<string, IndexedCodeSystem | null>();
  const cache = new Map<string, Expansion | null>();
  const inProgress = new Set<string>();

  function codeSystem(url: string): IndexedCodeSystem | undefined {
    let indexed = indexedCodeSystems.get(url);
    if (indexed === undefined) {
      const cs = codeSystemsByUrl.get(url);
      indexed = cs && cs.content === 'complete' ? indexCodeSystem(cs) : null;
      indexedCodeSystems.set(url, indexed);
    }
    return indexed ?? undefined;
  }

  function expand(canonical: string): Expansion | undefined {
    const url = stripVersion(canonical);
    const cached = cache.get(url);
    if (cached !== undefined) {
      return cached ?? undefined;
    }
    if (inProgress.has(url)) {
      return undefined; // circular definition
    }
    inProgress.add(url);
    let result: Expansion | undefined;
    try {
      const vs = valueSetsByUrl.get(url);
      result = vs ? expandValueSet(vs) : undefined;
    } finally {
      inProgress.delete(url);
    }
    cache.set(url, result ?? null);
    return result;
  }

  function expandValueSet(vs: ValueSetJson): Expansion | undefined {
    const includes = vs.compose?.include;
    if (!includes?.length) {
      return fromShippedExpansion(vs);
    }
    const result: MutableExpansion = new Map();
    for (const include of includes) {
      const part = expandConceptSet(include);
      if (!part) {
        return fromShippedExpansion(vs);
      }
      addAll(result, part);
    }
    for (const exclude of vs.compose?.exclude ?? []) {
      const part = expandConceptSet(exclude);
      if (part) {
        removeAll(result, part);
      }
    }
    return result;
  }

  function expandConceptSet(set: ConceptSetJson): MutableExpansion | undefined {
    let result: MutableExpansion | undefined;
    if (set.system) {
      const system = stripVersion(set.system);
      const codes = expandSystemPart(system, set);
      if (!codes) {
        return undefined;
      }
      result = new Map([[system, codes]]);
    }
    for (const nested of set.valueSet ?? []) {
      const expansion = expand(nested);
      if (!expansion) {
        return undefined;
      }
      result = result ? intersect(result, expansion) : copy(expansion);
    }
    return result;
  }

  function expandSystemPart(system: string, set: ConceptSetJson): Set<string> | undefined {
    if (set.concept?.length) {
      return new Set(set.concept.map((c) => c.code));
    }
    const cs = codeSystem(system);
    if (!cs) {
      return undefined;
    }
    let codes: Set<string> = cs.codes;
    for (const filter of set.filter ?? []) {
      const filtered = applyFilter(cs, filter);
      if (!filtered) {
        return undefined;
      }
      codes = new Set([...codes].filter((c) => filtered.has(c)));
    }
    return codes;
  }

  return { expand };
}

function fromShippedExpansion(vs: ValueSetJson): Expansion | undefined {
  const contains = vs.expansion?.contains;
  if (!contains?.length) {
    return undefined;
  }
  const flat: { system?: string; code?: string }[] = [];
  collectContains(contains, flat);
  if (vs.expansion?.total !== undefined && vs.expansion.total > flat.length) {
    return undefined; // partial (paged) expansion
  }
  const result: MutableExpansion = new Map();
  for (const { system, code } of flat) {
    if (system && code) {
      addCode(result, system, code);
    }
  }
  return result;
}

function collectContains(contains: ExpansionContainsJson[], out: ExpansionContainsJson[]): void {
  for (const c of contains) {
    out.push(c);
    if (c.contains) {
      collectContains(c.contains, out);
    }
  }
}

function indexCodeSystem(cs: CodeSystemJson): IndexedCodeSystem {
  const codes = new Set<string>();
  const children = new Map<string, string[]>();
  const visit = (concepts: CodeSystemConceptJson[] | undefined, parent: string | undefined): void => {
    for (const concept of concepts ?? []) {
      codes.add(concept.code);
      if (parent !== undefined) {
        const list = children.get(parent) ?? [];
        list.push(concept.code);
        children.set(parent, list);
      }
      visit(concept.concept, concept.code);
    }
  };
  visit(cs.concept, undefined);
  return { codes, children };
}

function descendants(cs: IndexedCodeSystem, code: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(cs.children.get(code) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (!out.has(next)) {
      out.add(next);
      stack.push(...(cs.children.get(next) ?? []));
    }
  }
  return out;
}

/** Codes of `cs` matching the filter, or undefined when the filter is not supported. */
function applyFilter(cs: IndexedCodeSystem, filter: ConceptSetFilterJson): Set<string> | undefined {
  const value = filter.value ?? '';
  if (filter.property === 'concept') {
    switch (filter.op) {
      case 'is-a':
        return cs.codes.has(value) ? new Set([value, ...descendants(cs, value)]) : new Set();
      case 'descendent-of':
        return descendants(cs, value);
      case 'is-not-a': {
        const excluded = new Set([value, ...descendants(cs, value)]);
        return new Set([...cs.codes].filter((c) => !excluded.has(c)));
      }
      case '=':
        return cs.codes.has(value) ? new Set([value]) : new Set();
      default:
        return undefined;
    }
  }
  if (filter.property === 'code' && filter.op === 'regex') {
    const regex = new RegExp(`^(?:${value})$`);
    return new Set([...cs.codes].filter((c) => regex.test(c)));
  }
  return undefined;
}

function addCode(target: MutableExpansion, system: string, code: string): void {
  let codes = target.get(system);
  if (!codes) {
    codes = new Set();
    target.set(system, codes);
  }
  codes.add(code);
}

function addAll(target: MutableExpansion, source: Expansion): void {
  for (const [system, codes] of source) {
    for (const code of codes) {
      addCode(target, system, code);
    }
  }
}

function removeAll(target: MutableExpansion, source: Expansion): void {
  for (const [system, codes] of source) {
    const existing = target.get(system);
    for (const code of codes) {
      existing?.delete(code);
    }
  }
}

function copy(source: Expansion): MutableExpansion {
  return new Map([...source].map(([system, codes]) => [system, new Set(codes)]));
}

function intersect(a: Expansion, b: Expansion): MutableExpansion {
  const result: MutableExpansion = new Map();
  for (const [system, codes] of a) {
    const other = b.get(system);
    if (other) {
      result.set(system, new Set([...codes].filter((c) => other.has(c))));
    }
  }
  return result;
}
