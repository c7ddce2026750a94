/** The parts of the R4 terminology resources the service reads; everything else passes through untouched. */

import type { CodeableConcept, Coding } from '../seed/fhir.ts';

export type { CodeableConcept, Coding };

export interface Designation {
  language?: string;
  use?: Coding;
  value: string;
}

export interface ConceptProperty {
  code: string;
  valueCode?: string;
  valueCoding?: Coding;
  valueString?: string;
  valueInteger?: number;
  valueBoolean?: boolean;
  valueDateTime?: string;
  valueDecimal?: number;
}

export interface CodeSystemConcept {
  code: string;
  display?: string;
  definition?: string;
  designation?: Designation[];
  property?: ConceptProperty[];
  concept?: CodeSystemConcept[];
}

export interface CodeSystemResource {
  resourceType: 'CodeSystem';
  id?: string;
  url?: string;
  version?: string;
  name?: string;
  title?: string;
  status?: string;
  caseSensitive?: boolean;
  hierarchyMeaning?: string;
  content?: 'not-present' | 'example' | 'fragment' | 'complete' | 'supplement';
  supplements?: string;
  property?: { code: string; type?: string; uri?: string; description?: string }[];
  concept?: CodeSystemConcept[];
  [key: string]: unknown;
}

export interface ValueSetFilter {
  property: string;
  op: string;
  value: string;
}

export interface ValueSetInclude {
  system?: string;
  version?: string;
  concept?: { code: string; display?: string; designation?: Designation[] }[];
  filter?: ValueSetFilter[];
  valueSet?: string[];
}

export interface ExpansionContains {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
  abstract?: boolean;
  inactive?: boolean;
  designation?: Designation[];
  contains?: ExpansionContains[];
}

export interface ValueSetResource {
  resourceType: 'ValueSet';
  id?: string;
  url?: string;
  version?: string;
  name?: string;
  title?: string;
  compose?: { inactive?: boolean; include: ValueSetInclude[]; exclude?: ValueSetInclude[] };
  expansion?: { contains?: ExpansionContains[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ConceptMapTarget {
  code?: string;
  display?: string;
  equivalence: string;
  comment?: string;
}

export interface ConceptMapGroup {
  source?: string;
  sourceVersion?: string;
  target?: string;
  targetVersion?: string;
  element: { code?: string; display?: string; target?: ConceptMapTarget[] }[];
  unmapped?: { mode: 'provided' | 'fixed' | 'other-map'; code?: string; display?: string; url?: string };
}

export interface ConceptMapResource {
  resourceType: 'ConceptMap';
  id?: string;
  url?: string;
  version?: string;
  sourceUri?: string;
  sourceCanonical?: string;
  targetUri?: string;
  targetCanonical?: string;
  group?: ConceptMapGroup[];
  [key: string]: unknown;
}

export type TerminologyResource = CodeSystemResource | ValueSetResource | ConceptMapResource;
