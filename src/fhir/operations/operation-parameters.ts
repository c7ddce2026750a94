import { fhirErrors } from '../outcome/errors.ts';
import type { FhirResource } from '../repository/resource-types.ts';
import type { OperationDefinition, OperationParameterDefinition } from './operation-definition.ts';

/** Input values by parameter name: primitives as strings/numbers/booleans, resources and complex types as objects. */
export type OperationInput = Map<string, unknown[]>;

interface ParametersResource {
  resourceType: 'Parameters';
  parameter?: { name: string; resource?: FhirResource; part?: unknown[]; [valueX: string]: unknown }[];
}

const primitivePatterns: Record<string, RegExp> = {
  integer: /^-?\d+$/,
  positiveInt: /^[1-9]\d*$/,
  unsignedInt: /^\d+$/,
  boolean: /^(true|false)$/,
  decimal: /^-?\d+(\.\d+)?$/,
  date: /^\d{4}(-\d{2}(-\d{2})?)?$/,
  dateTime: /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/,
  instant: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
};

/**
 * Reads an operation's inputs from the query string and/or a Parameters body and checks them against
 * its OperationDefinition: unknown names, cardinality and primitive formats are refused with the name.
 */
export function readOperationInput(
  definition: OperationDefinition,
  query: [string, string][],
  body: unknown,
): OperationInput {
  const declared = new Map((definition.parameter ?? []).filter((p) => p.use === 'in').map((p) => [p.name, p]));
  const input: OperationInput = new Map();
  const add = (name: string, value: unknown) => {
    const def = declared.get(name);
    if (!def) throw fhirErrors.invalidParameter(name, `is not a parameter of $${definition.code}`);
    checkPrimitive(def, value);
    input.set(name, [...(input.get(name) ?? []), value]);
  };
  for (const [name, value] of query) {
    if (name === '_format' || name === '_pretty') continue;
    for (const v of declared.get(name)?.max === '*' ? value.split(',') : [value]) add(name, v);
  }
  if (body !== undefined && body !== null) {
    const resource = body as FhirResource;
    if (resource.resourceType === 'Parameters') {
      for (const p of (resource as unknown as ParametersResource).parameter ?? []) {
        if (typeof p?.name !== 'string') throw fhirErrors.invalidParameter('parameter', 'each parameter needs a name');
        add(p.name, parameterValue(p));
      }
    } else {
      // An operation with one resource input may take that resource as the whole body ($validate, $match).
      const resourceParam = [...declared.values()].find((p) => p.type === 'Resource' || p.type === resource.resourceType);
      if (!resourceParam) throw fhirErrors.invalidParameter('body', `$${definition.code} takes a Parameters resource`);
      add(resourceParam.name, resource);
    }
  }
  for (const def of declared.values()) {
    const count = input.get(def.name)?.length ?? 0;
    if (count < def.min) throw fhirErrors.invalidParameter(def.name, `is required by $${definition.code}`);
    if (def.max !== '*' && count > Number(def.max)) throw fhirErrors.invalidParameter(def.name, `may appear at most ${def.max} time(s)`);
  }
  return input;
}

function parameterValue(p: NonNullable<ParametersResource['parameter']>[number]): unknown {
  if (p.resource !== undefined) return p.resource;
  if (p.part !== undefined) return p.part;
  const key = Object.keys(p).find((k) => k.startsWith('value'));
  return key ? p[key] : undefined;
}

function checkPrimitive(def: OperationParameterDefinition, value: unknown): void {
  const pattern = def.type ? primitivePatterns[def.type] : undefined;
  if (pattern && !pattern.test(String(value))) throw fhirErrors.invalidParameter(def.name, `'${String(value)}' is not a valid ${def.type}`);
}

export function firstString(input: OperationInput, name: string): string | undefined {
  const v = input.get(name)?.[0];
  return v === undefined ? undefined : String(v);
}
