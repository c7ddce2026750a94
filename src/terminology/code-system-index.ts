import type { CodeSystemConcept, CodeSystemResource, ConceptProperty, Designation } from './terminology-types.ts';

export interface IndexedConcept {
  code: string;
  display?: string;
  definition?: string;
  designation: Designation[];
  property: ConceptProperty[];
  /** Positions of the parents and children in the index's concept list. */
  parents: number[];
  children: number[];
  abstract: boolean;
  inactive: boolean;
}

/**
 * One CodeSystem's concepts flattened once, with the hierarchy resolved both ways: R4 code systems
 * state it by nesting `concept`, by `parent`/`child` properties or (v3) by `subsumedBy`, and every
 * operation ($lookup's parent/child, is-a filters, $subsumes) needs the same answer whichever way.
 */
export class CodeSystemIndex {
  readonly resource: CodeSystemResource;
  readonly concepts: IndexedConcept[] = [];
  private readonly byCode = new Map<string, number>();
  private readonly caseSensitive: boolean;

  constructor(resource: CodeSystemResource) {
    this.resource = resource;
    // R4 leaves caseSensitive optional; treating codes as case-sensitive is the safe reading.
    this.caseSensitive = resource.caseSensitive !== false;
    const visit = (concepts: CodeSystemConcept[], parent: number | undefined) => {
      for (const c of concepts) {
        let position = this.position(c.code);
        if (position === undefined) {
          position = this.concepts.length;
          this.concepts.push({
            code: c.code, display: c.display, definition: c.definition, designation: c.designation ?? [], property: c.property ?? [],
            parents: [], children: [], abstract: isAbstract(c.property), inactive: isInactive(c.property),
          });
          this.byCode.set(this.key(c.code), position);
        }
        if (parent !== undefined) this.link(parent, position);
        if (c.concept) visit(c.concept, position);
      }
    };
    visit(resource.concept ?? [], undefined);
    for (const [position, concept] of this.concepts.entries()) {
      for (const p of concept.property) {
        const other = this.position(p.valueCode ?? p.valueCoding?.code ?? p.valueString ?? '');
        if (other === undefined) continue;
        if (p.code === 'parent' || p.code === 'subsumedBy') this.link(other, position);
        else if (p.code === 'child') this.link(position, other);
      }
    }
  }

  get url(): string | undefined {
    return this.resource.url;
  }

  get(code: string): IndexedConcept | undefined {
    const position = this.position(code);
    return position === undefined ? undefined : this.concepts[position];
  }

  position(code: string): number | undefined {
    return this.byCode.get(this.key(code));
  }

  /** Positions of every concept below the given one (not itself), cycles tolerated. */
  descendants(position: number): Set<number> {
    return this.walk(position, (c) => c.children);
  }

  ancestors(position: number): Set<number> {
    return this.walk(position, (c) => c.parents);
  }

  /** The $subsumes answer for two known codes. */
  subsumption(a: number, b: number): 'equivalent' | 'subsumes' | 'subsumed-by' | 'not-subsumed' {
    if (a === b) return 'equivalent';
    if (this.descendants(a).has(b)) return 'subsumes';
    if (this.descendants(b).has(a)) return 'subsumed-by';
    return 'not-subsumed';
  }

  /** A concept property's values as text, the computed parent/child included. */
  propertyValues(position: number, property: string): string[] {
    const concept = this.concepts[position];
    if (property === 'parent') return concept.parents.map((p) => this.concepts[p].code);
    if (property === 'child') return concept.children.map((p) => this.concepts[p].code);
    return concept.property.filter((p) => p.code === property).map(propertyText);
  }

  private key(code: string): string {
    return this.caseSensitive ? code : code.toLowerCase();
  }

  private link(parent: number, child: number): void {
    if (parent === child) return;
    if (!this.concepts[parent].children.includes(child)) this.concepts[parent].children.push(child);
    if (!this.concepts[child].parents.includes(parent)) this.concepts[child].parents.push(parent);
  }

  private walk(start: number, next: (c: IndexedConcept) => number[]): Set<number> {
    const seen = new Set<number>();
    const stack = [...next(this.concepts[start])];
    while (stack.length > 0) {
      const p = stack.pop() as number;
      if (seen.has(p) || p === start) continue;
      seen.add(p);
      stack.push(...next(this.concepts[p]));
    }
    return seen;
  }
}

export function propertyText(p: ConceptProperty): string {
  if (p.valueCode !== undefined) return p.valueCode;
  if (p.valueCoding !== undefined) return p.valueCoding.code ?? '';
  if (p.valueString !== undefined) return p.valueString;
  if (p.valueBoolean !== undefined) return String(p.valueBoolean);
  if (p.valueInteger !== undefined) return String(p.valueInteger);
  if (p.valueDecimal !== undefined) return String(p.valueDecimal);
  return p.valueDateTime ?? '';
}

function isAbstract(properties: ConceptProperty[] | undefined): boolean {
  return (properties ?? []).some((p) => (p.code === 'notSelectable' || p.code === 'abstract') && p.valueBoolean === true);
}

function isInactive(properties: ConceptProperty[] | undefined): boolean {
  return (properties ?? []).some((p) =>
    (p.code === 'inactive' && p.valueBoolean === true) ||
    (p.code === 'status' && ['retired', 'inactive', 'deprecated'].includes(p.valueCode ?? p.valueString ?? '')));
}
