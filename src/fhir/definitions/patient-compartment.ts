import { readPackageFile } from './examples-package.ts';

interface CompartmentDefinition {
  resource: { code: string; param?: string[] }[];
}

let cached: { types: string[]; params: string[] } | undefined;

/**
 * The Patient compartment of R4 as (resource type, reference parameter) pairs: a resource belongs to
 * patient P when one of its listed parameters refers to P ("{def}" means the patient itself).
 */
export function patientCompartment(): { types: string[]; params: string[] } {
  if (!cached) {
    const def = readPackageFile<CompartmentDefinition>('CompartmentDefinition-patient.json');
    const pairs = def.resource.flatMap((r) => (r.param ?? []).filter((p) => p !== '{def}').map((p) => [r.code, p] as const));
    cached = { types: pairs.map(([t]) => t), params: pairs.map(([, p]) => p) };
  }
  return cached;
}
