import { readPackageResources } from './examples-package.ts';

export interface ElementDefinition {
  path: string;
  min?: number;
  max?: string;
  isSummary?: boolean;
  type?: { code: string }[];
}

export interface StructureDefinition {
  url: string;
  name: string;
  type: string;
  kind: 'primitive-type' | 'complex-type' | 'resource' | 'logical';
  abstract: boolean;
  derivation?: 'specialization' | 'constraint';
  snapshot?: { element: ElementDefinition[] };
}

let cached: StructureDefinition[] | undefined;

/** The base definitions of R4 (specialisations, not profiles). */
export function baseStructureDefinitions(): StructureDefinition[] {
  cached ??= readPackageResources<StructureDefinition>('StructureDefinition').filter(
    (sd) => sd.derivation === 'specialization' || sd.type === 'Resource' || sd.type === 'Element',
  );
  return cached;
}

let resourceTypes: Set<string> | undefined;

/** Concrete resource types of R4: the types a FHIR server can store. */
export function resourceTypeNames(): Set<string> {
  resourceTypes ??= new Set(
    baseStructureDefinitions().filter((sd) => sd.kind === 'resource' && !sd.abstract).map((sd) => sd.type).sort(),
  );
  return resourceTypes;
}

export function isResourceType(name: string): boolean {
  return resourceTypeNames().has(name);
}

export interface TopLevelElement {
  name: string;
  min: number;
  /** '1' or '*' (repeating). */
  max: string;
  isSummary: boolean;
}

const topLevelCache = new Map<string, TopLevelElement[]>();

/** The first-level elements of a resource type (choice elements named without [x]), for _summary and _elements. */
export function topLevelElements(resourceType: string): TopLevelElement[] {
  let elements = topLevelCache.get(resourceType);
  if (!elements) {
    const sd = baseStructureDefinitions().find((s) => s.kind === 'resource' && s.type === resourceType);
    elements = (sd?.snapshot?.element ?? [])
      .filter((e) => e.path.split('.').length === 2)
      .map((e) => ({ name: e.path.split('.')[1].replace('[x]', ''), min: e.min ?? 0, max: String(e.max ?? '1'), isSummary: e.isSummary === true }));
    topLevelCache.set(resourceType, elements);
  }
  return elements;
}
