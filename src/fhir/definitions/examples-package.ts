import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * The official FHIR R4 (4.0.1) package as shipped on npm (`hl7.fhir.r4.examples`): one JSON file per
 * resource — the StructureDefinitions, SearchParameters, ValueSets, CodeSystems and example resources
 * that are the engine's source of truth.
 */
export const examplesPackageDir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

let fileNames: string[] | undefined;

/** Sorted names of the package's resource files (the manifests left out). */
export function packageFileNames(): string[] {
  fileNames ??= readdirSync(examplesPackageDir).filter((f) => f.endsWith('.json') && f !== 'package.json' && f !== 'ig-r4.json').sort();
  return fileNames;
}

export function readPackageFile<T = Record<string, unknown>>(fileName: string): T {
  return JSON.parse(readFileSync(`${examplesPackageDir}/${fileName}`, 'utf8')) as T;
}

const byType = new Map<string, unknown[]>();

/**
 * Every resource of one type in the package (file names start with `${resourceType}-`), read once per
 * process: the validator and the engine's definitions share the same parsed StructureDefinitions.
 */
export function readPackageResources<T = Record<string, unknown>>(resourceType: string): T[] {
  let resources = byType.get(resourceType);
  if (!resources) {
    resources = packageFileNames()
      .filter((f) => f.startsWith(`${resourceType}-`))
      .map((f) => readPackageFile<{ resourceType?: string }>(f))
      .filter((r) => r.resourceType === resourceType);
    byType.set(resourceType, resources);
  }
  return resources as T[];
}

/** Types whose package files are definitions (conformance and terminology), not example instance data. */
const definitionalTypes = new Set([
  'StructureDefinition', 'SearchParameter', 'ValueSet', 'CodeSystem', 'ConceptMap', 'OperationDefinition',
  'CapabilityStatement', 'ImplementationGuide', 'CompartmentDefinition', 'NamingSystem', 'StructureMap',
]);

/** File names of the example resources: instance data of every resource type. */
export function exampleResourceFiles(): string[] {
  return packageFileNames().filter((file) => {
    const dash = file.indexOf('-');
    return dash > 0 && !definitionalTypes.has(file.slice(0, dash));
  });
}
