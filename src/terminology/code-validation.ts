import type { FhirRepository, WriteHook } from '../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../fhir/repository/resource-types.ts';
import type { OperationOutcomeIssue } from '../fhir/outcome/fhir-error.ts';
import { FhirError } from '../fhir/outcome/fhir-error.ts';
import { findCodedElements, type CodedElement } from '../fhir/validation/coded-elements.ts';
import type { CodeSystemIndex } from './code-system-index.ts';
import { displayMismatch } from './code-system-operations.ts';
import type { Expansion } from './expander.ts';
import { remember, type Resolved, type TerminologyRef, type TerminologySource } from './terminology-source.ts';
import type { CodeSystemResource, Designation, ValueSetResource } from './terminology-types.ts';

/**
 * The terminology checks of a write (docs/decisions/0021-binding-validation-through-terminology.md), through the
 * terminology service, so that what $validate-code answers and what a write accepts agree:
 *
 * - required bindings: a code outside the bound ValueSet is refused, for every ValueSet the service knows (stored,
 *   shipped with Huza, or in the R4 package), when it can be expanded here;
 * - extensible bindings: a coding from a code system the bound ValueSet draws from must be a code of that system
 *   (any code system the service knows completely); codings from other systems are what extensible allows;
 * - every coding of a code system stored or shipped with Huza (a Rwandan one, a loaded LOINC or ICD release), bound
 *   or not, must be a code of it. The R4 package's own code systems are a 2019 snapshot of terminology.hl7.org: a
 *   coding of one of them is judged only where a binding names it, so current codes are not refused for being newer;
 * - a display that is none of the concept's names is a warning.
 *
 * Once warm, a write costs no query: what each canonical resolves to in the store is looked up with one query for
 * all of a write's canonicals and trusted for refreshMs (5 s), except after a code system or value set is written
 * through this engine (writeHook); expansions and code system indexes are cached per version of everything they
 * were built from; codes of a loaded release are looked up with one query per write for those not seen before.
 */
export class CodeValidation {
  private readonly source: TerminologySource;
  private readonly expand: (repo: FhirRepository, vs: Resolved<ValueSetResource>) => Promise<Expansion>;
  /** Per ValueSet version: what bindings to it are checked against. */
  private readonly boundSets = new Map<string, BoundValueSet>();
  /** The last entry built for each canonical as bound: its dependencies are resolved with the write's query. */
  private readonly lastByCanonical = new Map<string, BoundValueSet>();
  /** Per release header version: code → the concept's names, or null when the release has no such code. */
  private readonly releaseCodes = new Map<string, Map<string, ConceptNames | null>>();
  private readonly releaseRows = new Map<string, boolean>();
  /** What each canonical resolved to, and when (Date.now()); trusted for refreshMs. */
  private readonly resolutions = new Map<string, { resolved: Resolved | undefined; at: number }>();
  /** Until then, resolutions are not trusted: a code system or value set was written through this engine. */
  private untrustedUntil = 0;
  private readonly refreshMs: number;

  /**
   * Tells the checks that this engine wrote a CodeSystem or ValueSet (a create, update or delete): what the store
   * holds is looked up again on every write for the next refreshMs, so the change counts from the next write on,
   * even for writes that ran while its transaction was still open.
   */
  readonly writeHook: WriteHook = {
    types: ['CodeSystem', 'ValueSet'],
    afterWrite: async () => {
      this.untrustedUntil = Date.now() + this.refreshMs;
      this.resolutions.clear();
    },
  };

  constructor(source: TerminologySource, expand: (repo: FhirRepository, vs: Resolved<ValueSetResource>) => Promise<Expansion>, options: { refreshMs?: number } = {}) {
    this.source = source;
    this.expand = expand;
    this.refreshMs = options.refreshMs ?? 5000;
  }

  /**
   * The write's canonicals resolved: from what earlier writes found when that is younger than refreshMs (so
   * another app node's change counts within refreshMs, as the content cipher's key rotation does), the others
   * with one query.
   */
  private async resolve(repo: FhirRepository, refs: RefSet): Promise<Resolutions> {
    const now = Date.now();
    const trusted = now >= this.untrustedUntil;
    const byKey = new Map<string, Resolved | undefined>();
    const missing: TerminologyRef[] = [];
    for (const [k, ref] of refs.refs) {
      const cached = trusted ? this.resolutions.get(k) : undefined;
      if (cached && now - cached.at < this.refreshMs) byKey.set(k, cached.resolved);
      else missing.push(ref);
    }
    const found = await this.source.findMany(repo, missing);
    for (const [i, ref] of missing.entries()) {
      const k = refKey(ref);
      byKey.set(k, found[i]);
      if (trusted) remember(this.resolutions, k, { resolved: found[i], at: now }, 5000);
    }
    return { has: (ref) => byKey.has(refKey(ref)), get: (ref) => byKey.get(refKey(ref)) };
  }

  /** The issues of a resource's codes: errors refuse the write, warnings are reported by $validate. */
  async validate(repo: FhirRepository, resource: FhirResource): Promise<OperationOutcomeIssue[]> {
    const elements = findCodedElements(resource);
    if (elements.length === 0) return [];
    const bound = elements.filter((e) => e.binding && isCoded(e));
    const codings = elements.filter((e) => e.type === 'Coding' || e.type === 'Quantity').map(codingAt).filter((c) => c !== undefined);
    if (bound.length === 0 && codings.every((c) => c.system === undefined)) return [];

    // One query for every canonical involved, and for what the cached expansions were built from.
    const refs = new RefSet();
    const canonicals = [...new Set(bound.map((e) => e.binding!.valueSet))];
    for (const canonical of canonicals) {
      refs.add(valueSetRef(canonical));
      for (const d of this.lastByCanonical.get(canonical)?.dependencies ?? []) refs.add(d.ref);
    }
    for (const c of codings) if (c.system !== undefined) refs.add(codeSystemRef(c.system, c.version));
    const resolved = await this.resolve(repo, refs);

    const sets = new Map<string, BoundValueSet | undefined>();
    for (const canonical of canonicals) sets.set(canonical, await this.boundValueSet(repo, canonical, resolved));
    const systems = new SystemJudges(this.source, resolved);
    await this.lookUpReleaseCodes(repo, systems, [...codings, ...bound.flatMap(codingsOf)]);

    const issues: OperationOutcomeIssue[] = [];
    const refused = new Set<string>();
    const refuse = (diagnostics: string, expression: string[]) => {
      issues.push({ severity: 'error', code: 'code-invalid', diagnostics, expression });
      for (const e of expression) refused.add(e);
    };
    for (const element of bound) {
      const set = sets.get(element.binding!.valueSet);
      if (!set) continue;
      if (element.binding!.strength === 'required') this.checkRequired(element, set, systems, refuse);
      else this.checkExtensible(element, set, systems, refuse, issues);
    }
    for (const coding of codings) {
      if (coding.system === undefined || refused.has(coding.expression)) continue;
      const judge = systems.get(coding.system, coding.version);
      // The R4 package's code systems are judged only through bindings (see above).
      if (!judge || judge.origin === 'package') continue;
      const names = this.concept(judge, coding.code);
      if (names === undefined) continue;
      if (names === null) refuse(unknownCode(coding), [coding.expression]);
      else warnDisplay(coding, names, issues);
    }
    return issues;
  }

  private checkRequired(element: CodedElement, set: BoundValueSet, systems: SystemJudges, refuse: (d: string, e: string[]) => void): void {
    if (!set.expansion) return;
    const vs = element.binding!.valueSet;
    if (element.type === 'code') {
      const code = element.value;
      if (typeof code === 'string' && !set.hasCode(code)) refuse(`The code '${code}' is not in the required value set ${vs}`, [element.expression]);
      return;
    }
    const codings = codingsOf(element);
    if (codings.length === 0 || codings.some((c) => set.contains(c))) return;
    const unknown = codings.map((c) => {
      const judge = c.system === undefined ? undefined : systems.get(c.system, c.version);
      return judge && this.concept(judge, c.code) === null ? `; ${unknownCode(c)}` : '';
    }).join('');
    const what = codings.length === 1 ? describe(codings[0]) : `None of the codings ${codings.map(describe).join(', ')}`;
    refuse(`${what} is not in the required value set ${vs}${unknown}`, codings.map((c) => c.expression));
  }

  private checkExtensible(element: CodedElement, set: BoundValueSet, systems: SystemJudges, refuse: (d: string, e: string[]) => void, issues: OperationOutcomeIssue[]): void {
    const vs = element.binding!.valueSet;
    for (const coding of codingsOf(element)) {
      if (coding.system === undefined || !set.drawsFrom.has(coding.system)) continue; // another system: what extensible allows
      const judge = systems.get(coding.system, coding.version);
      const names = judge ? this.concept(judge, coding.code) : undefined;
      if (names === null) {
        refuse(`${unknownCode(coding)}, which the extensible value set ${vs} draws from`, [coding.expression]);
      } else if (set.expansion && !set.contains(coding)) {
        issues.push({
          severity: 'warning', code: 'code-invalid', expression: [coding.expression],
          diagnostics: `${describe(coding)} is not in the extensible value set ${vs}: a code from outside it is for concepts the value set does not cover`,
        });
      }
    }
  }

  /** A code's names in the code system, null when the system has no such code, undefined when it cannot be told. */
  private concept(judge: SystemJudge, code: string): ConceptNames | null | undefined {
    if (judge.index) {
      const c = judge.index.get(code);
      return c ? { display: c.display, designation: c.designation } : null;
    }
    return this.releaseCodes.get(judge.key)?.get(code);
  }

  /** What bindings to a ValueSet are checked against: built once per version of it and of everything it draws from. */
  private async boundValueSet(repo: FhirRepository, canonical: string, resolved: Resolutions): Promise<BoundValueSet | undefined> {
    const vs = resolved.get(valueSetRef(canonical)) as Resolved<ValueSetResource> | undefined;
    if (!vs) return undefined;
    const cached = this.boundSets.get(vs.key);
    if (cached && cached.dependencies.every((d) => resolved.has(d.ref) && (resolved.get(d.ref)?.key ?? 'absent') === d.key)) {
      this.lastByCanonical.set(canonical, cached);
      return cached;
    }
    const built = await this.build(repo, vs);
    remember(this.boundSets, vs.key, built, 500);
    remember(this.lastByCanonical, canonical, built, 500);
    return built;
  }

  private async build(repo: FhirRepository, vs: Resolved<ValueSetResource>): Promise<BoundValueSet> {
    const compose = vs.resource.compose;
    const drawsFrom = new Set<string>();
    for (const include of compose?.include ?? []) if (include.system) drawsFrom.add(stripVersion(include.system));
    collectSystems(vs.resource.expansion?.contains ?? [], drawsFrom);
    // What the value set was read from; used when it cannot be expanded (then nothing else is known of it).
    const composeRefs: TerminologyRef[] = [...(compose?.include ?? []), ...(compose?.exclude ?? [])].flatMap((inc) => [
      ...(inc.system ? [codeSystemRef(inc.system, inc.version)] : []),
      ...(inc.valueSet ?? []).map(importedValueSetRef),
    ]);
    let expansion: Expansion | null = null;
    let dependencies: TerminologyRef[] = composeRefs;
    if (await this.expandable(repo, vs.resource)) {
      try {
        const full = await this.expand(repo, vs);
        expansion = full;
        dependencies = full.dependencies.map((d) => (d.type === 'ValueSet' ? importedValueSetRef(d.url) : codeSystemRef(d.url, d.version)));
        for (const item of full.items) drawsFrom.add(item.system);
      } catch (error) {
        // Not expandable here (a code system not held, an unsupported filter, a cycle...): bindings to it are not judged.
        if (!(error instanceof FhirError)) throw error;
      }
    }
    const keys = await this.source.findMany(repo, dependencies);
    return new BoundValueSet(vs.key, expansion, drawsFrom, dependencies.map((ref, i) => ({ ref, key: keys[i]?.key ?? 'absent' })));
  }

  /**
   * Whether an expansion can be trusted as the whole value set: it cannot when it would be cut from a code system
   * known only in part (a fragment, an example, a header without concepts), or is a pre-expanded list that is paged
   * or empty.
   */
  private async expandable(repo: FhirRepository, vs: ValueSetResource): Promise<boolean> {
    if (!vs.compose) {
      const contains = vs.expansion?.contains ?? [];
      const total = vs.expansion?.total;
      return contains.length > 0 && !(typeof total === 'number' && total > countContains(contains));
    }
    const whole = [...vs.compose.include, ...(vs.compose.exclude ?? [])].filter((i) => i.system && !i.concept?.length);
    const found = await this.source.findMany(repo, whole.map((i) => codeSystemRef(i.system!, i.version)));
    return found.every((cs) => cs !== undefined && (cs.resource.content === 'complete' || (cs.resource.content === 'not-present' && cs.origin === 'stored')));
  }

  /** Codes of loaded releases (LOINC, ICD...) not seen before: one query for all of them. */
  private async lookUpReleaseCodes(repo: FhirRepository, systems: SystemJudges, codings: CodingAt[]): Promise<void> {
    const wanted = new Map<string, { judge: SystemJudge; codes: Set<string> }>();
    for (const c of codings) {
      if (c.system === undefined) continue;
      const judge = systems.get(c.system, c.version);
      if (!judge?.release || this.releaseCodes.get(judge.key)?.has(c.code)) continue;
      const w = wanted.get(judge.key) ?? { judge, codes: new Set<string>() };
      w.codes.add(c.code);
      wanted.set(judge.key, w);
    }
    const releases: { judge: SystemJudge; codes: Set<string> }[] = [];
    for (const w of wanted.values()) {
      if (await this.hasRows(repo, w.judge)) releases.push(w);
      else systems.notJudged(w.judge);
    }
    if (releases.length === 0) return;
    // A release that is not case-sensitive (LOINC, ICD-10) stores its codes in their published case, upper for
    // letters: the code is also looked for upper- and lower-cased, still by the primary key.
    const spellings = (judge: SystemJudge, code: string) => (judge.release!.caseSensitive ? [code] : [...new Set([code, code.toUpperCase(), code.toLowerCase()])]);
    const triples = releases.flatMap(({ judge, codes }) => [...codes].flatMap((code) => spellings(judge, code).map((c) => [judge.release!.url, judge.release!.version, c])));
    const rows = await repo.sql.query<{ system: string; version: string; code: string; concept: string }>(
      `SELECT c.system, c.version, c.code, c.concept FROM terminology_concept c
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(system, version, code) ON c.system = k.system AND c.version = k.version AND c.code = k.code`,
      [triples.map((t) => t[0]), triples.map((t) => t[1]), triples.map((t) => t[2])]);
    const found = new Map(rows.rows.map((r) => [`${r.system}|${r.version}|${r.code}`, r.concept]));
    for (const { judge, codes } of releases) {
      let known = this.releaseCodes.get(judge.key);
      if (!known) {
        known = new Map();
        remember(this.releaseCodes, judge.key, known, 20);
      }
      for (const code of codes) {
        const json = spellings(judge, code).map((c) => found.get(`${judge.release!.url}|${judge.release!.version}|${c}`)).find((j) => j !== undefined);
        const concept = json === undefined ? null : JSON.parse(json) as { display?: string; designation?: Designation[] };
        remember(known, code, concept && { display: concept.display, designation: concept.designation ?? [] }, 100_000);
      }
    }
  }

  /** A not-present code system with rows in terminology_concept is a loaded release; one without is known by name only. */
  private async hasRows(repo: FhirRepository, judge: SystemJudge): Promise<boolean> {
    let has = this.releaseRows.get(judge.key);
    if (has === undefined) {
      const r = await repo.sql.query<{ has: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM terminology_concept WHERE system = $1 AND version = $2) AS has', [judge.release!.url, judge.release!.version]);
      has = r.rows[0].has;
      remember(this.releaseRows, judge.key, has, 100);
    }
    return has;
  }
}

interface ConceptNames {
  display?: string;
  designation: Designation[];
}

interface CodingAt {
  expression: string;
  system?: string;
  version?: string;
  code: string;
  display?: string;
}

class BoundValueSet {
  readonly key: string;
  /** null when the value set cannot be expanded here: required bindings to it are not judged. */
  readonly expansion: Expansion | null;
  /** Code systems the value set takes codes from. */
  readonly drawsFrom: ReadonlySet<string>;
  readonly dependencies: { ref: TerminologyRef; key: string }[];
  private codes?: Set<string>;

  constructor(key: string, expansion: Expansion | null, drawsFrom: ReadonlySet<string>, dependencies: { ref: TerminologyRef; key: string }[]) {
    this.key = key;
    this.expansion = expansion;
    this.drawsFrom = drawsFrom;
    this.dependencies = dependencies;
  }

  /** A bare code (an element of type code, or a coding without system) is in the value set in any system. */
  hasCode(code: string): boolean {
    this.codes ??= new Set(this.expansion?.items.map((i) => i.code));
    return this.codes.has(code);
  }

  contains(coding: CodingAt): boolean {
    return coding.system === undefined ? this.hasCode(coding.code) : this.expansion?.find(coding.system, coding.code) !== undefined;
  }
}

/** How a code system's codes are told: its index (complete content) or its loaded release's rows. */
interface SystemJudge {
  key: string;
  origin: Resolved['origin'];
  index?: CodeSystemIndex;
  release?: { url: string; version: string; caseSensitive: boolean };
}

class SystemJudges {
  private readonly source: TerminologySource;
  private readonly resolved: Resolutions;
  private readonly judges = new Map<string, SystemJudge | undefined>();

  constructor(source: TerminologySource, resolved: Resolutions) {
    this.source = source;
    this.resolved = resolved;
  }

  get(system: string, version?: string): SystemJudge | undefined {
    const ref = codeSystemRef(system, version);
    const k = refKey(ref);
    if (this.judges.has(k)) return this.judges.get(k);
    const cs = this.resolved.get(ref) as Resolved<CodeSystemResource> | undefined;
    let judge: SystemJudge | undefined;
    if (cs) {
      const index = this.source.completeIndex(cs);
      if (index) judge = { key: cs.key, origin: cs.origin, index };
      else if (cs.origin === 'stored' && cs.resource.content === 'not-present' && cs.resource.url && cs.resource.version !== undefined) {
        judge = { key: cs.key, origin: cs.origin, release: { url: cs.resource.url, version: cs.resource.version, caseSensitive: cs.resource.caseSensitive !== false } };
      }
    }
    this.judges.set(k, judge);
    return judge;
  }

  /** A header without concepts: its codes cannot be told. */
  notJudged(judge: SystemJudge): void {
    for (const [k, j] of this.judges) if (j?.key === judge.key) this.judges.set(k, undefined);
  }
}

/** The canonicals of one write, resolved. */
interface Resolutions {
  has(ref: TerminologyRef): boolean;
  get(ref: TerminologyRef): Resolved | undefined;
}

/** The canonicals a write needs. */
class RefSet {
  readonly refs = new Map<string, TerminologyRef>();

  add(ref: TerminologyRef): void {
    this.refs.set(refKey(ref), ref);
  }
}

function refKey(ref: TerminologyRef): string {
  return `${ref.type} ${ref.url}|${ref.version ?? ''}${ref.orAnyVersion ? '|*' : ''}`;
}

/** A binding's canonical: R4 pins its own ValueSets to 4.0.1; one the package lacks is taken at any version. */
function valueSetRef(canonical: string): TerminologyRef {
  const bar = canonical.indexOf('|');
  return bar < 0 ? { type: 'ValueSet', url: canonical } : { type: 'ValueSet', url: canonical.slice(0, bar), version: canonical.slice(bar + 1), orAnyVersion: true };
}

/** A ValueSet a ValueSet imports: as the expander finds it (exactly the version named, if one is). */
function importedValueSetRef(canonical: string): TerminologyRef {
  const bar = canonical.indexOf('|');
  return bar < 0 ? { type: 'ValueSet', url: canonical } : { type: 'ValueSet', url: canonical.slice(0, bar), version: canonical.slice(bar + 1) };
}

function codeSystemRef(system: string, version?: string): TerminologyRef {
  const bar = system.indexOf('|');
  const url = bar < 0 ? system : system.slice(0, bar);
  const v = version ?? (bar < 0 ? undefined : system.slice(bar + 1));
  return v === undefined ? { type: 'CodeSystem', url } : { type: 'CodeSystem', url, version: v };
}

function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

function isCoded(e: CodedElement): boolean {
  return e.type === 'code' ? typeof e.value === 'string' : codingsOf(e).length > 0;
}

/** The codings of a Coding, Quantity or CodeableConcept element that carry a code, with their expressions. */
function codingsOf(e: CodedElement): CodingAt[] {
  if (e.type === 'Coding' || e.type === 'Quantity') {
    const c = codingAt(e);
    return c ? [c] : [];
  }
  if (e.type !== 'CodeableConcept') return [];
  const coding = (e.value as { coding?: unknown }).coding;
  if (!Array.isArray(coding)) return [];
  return coding.flatMap((c, i) => {
    const at = codingAt({ expression: `${e.expression}.coding[${i}]`, type: 'Coding', value: c });
    return at ? [at] : [];
  });
}

function codingAt(e: CodedElement): CodingAt | undefined {
  const v = e.value as { system?: unknown; version?: unknown; code?: unknown; display?: unknown; unit?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.code !== 'string') return undefined;
  return {
    expression: e.expression,
    code: v.code,
    ...(typeof v.system === 'string' ? { system: v.system } : {}),
    ...(typeof v.version === 'string' ? { version: v.version } : {}),
    ...(e.type === 'Coding' && typeof v.display === 'string' ? { display: v.display } : {}),
  };
}

function collectSystems(contains: { system?: string; contains?: unknown[] }[], into: Set<string>): void {
  for (const c of contains) {
    if (c.system) into.add(c.system);
    if (Array.isArray(c.contains)) collectSystems(c.contains as { system?: string }[], into);
  }
}

function countContains(contains: { code?: string; contains?: unknown[] }[]): number {
  return contains.reduce((n, c) => n + (c.code ? 1 : 0) + (Array.isArray(c.contains) ? countContains(c.contains as { code?: string }[]) : 0), 0);
}

function describe(c: CodingAt): string {
  return c.system === undefined ? `The code '${c.code}'` : `${c.system}|${c.code}`;
}

function unknownCode(c: CodingAt): string {
  return `Unknown code '${c.code}' in code system '${c.system}'${c.version ? ` version '${c.version}'` : ''}`;
}

function warnDisplay(c: CodingAt, names: ConceptNames, issues: OperationOutcomeIssue[]): void {
  const wrong = displayMismatch({ code: c.code, display: names.display, designation: names.designation }, c.display);
  if (wrong) issues.push({ severity: 'warning', code: 'code-invalid', diagnostics: `${wrong} (in code system '${c.system}')`, expression: [c.expression] });
}
