// Turns the element paths reported by @medplum/core into concrete FHIRPath-style expressions.
//
// medplum reports paths in several shapes, depending on the check:
//   - indexed value paths:            `Patient.name[0].given[1]`, `Observation.value[x]`
//   - un-indexed crawler paths:       `Patient.name.given` (array/single shape checks, empty values)
//   - raw JSON keys:                  `Patient.foo`, `Patient._birthDate`, `Patient.deceasedBoolean`
// This module resolves them against the validated resource, so that every expression names one concrete
// element: array indexes are filled in, `x[x]` becomes `x.ofType(Type)` and `_x` becomes `x`.

const CHOICE_SUFFIX = '[x]';
const SEGMENT = /^(_?)([^[\]]+?)(\[x\]|\[(\d+)\])?$/;

/** A concrete location inside the resource. */
export interface ResolvedPath {
  expression: string;
  /** The JSON value at that location (undefined when absent). */
  value: unknown;
}

/**
 * Resolves a medplum path against `root` (the validated resource). An un-indexed segment that holds an array
 * is expanded to all of its items, except for the last segment (which then names the whole list). A path that
 * does not start with the resource type (e.g. a definition path `HumanName.given`) is returned unchanged.
 */
export function resolvePath(path: string, root: unknown): ResolvedPath[] {
  const segments = path.split('.');
  const rootType = (root as { resourceType?: unknown } | null)?.resourceType;
  if (segments[0] !== rootType) {
    return [{ expression: path, value: undefined }];
  }
  let current: ResolvedPath[] = [{ expression: segments[0], value: root }];
  for (let i = 1; i < segments.length; i++) {
    const isLast = i === segments.length - 1;
    const next: ResolvedPath[] = [];
    for (const node of current) {
      next.push(...step(node, segments[i], isLast));
    }
    current = next;
  }
  return current;
}

function step(node: ResolvedPath, segment: string, isLast: boolean): ResolvedPath[] {
  const match = SEGMENT.exec(segment);
  if (!match) {
    return [{ expression: `${node.expression}.${segment}`, value: undefined }];
  }
  const [, underscore, name, suffix, index] = match;
  const parent = isObject(node.value) ? node.value : undefined;

  if (suffix === CHOICE_SUFFIX) {
    const key = parent ? findChoiceKey(parent, name) : undefined;
    if (!key) {
      return [{ expression: `${node.expression}.${name}`, value: undefined }];
    }
    const type = key.slice(name.length);
    return [{ expression: `${node.expression}.${name}.ofType(${fhirTypeName(type)})`, value: parent?.[key] }];
  }

  const expression = `${node.expression}.${name}`;
  // For `_name` (primitive extension) keys, medplum reports the JSON key; FHIRPath names the element itself.
  const value = parent ? (parent[underscore + name] ?? (underscore ? undefined : parent[`_${name}`])) : undefined;
  if (index !== undefined) {
    return [{ expression: `${expression}[${index}]`, value: Array.isArray(value) ? value[Number(index)] : undefined }];
  }
  if (Array.isArray(value) && !isLast) {
    return value.map((item, i) => ({ expression: `${expression}[${i}]`, value: item }));
  }
  return [{ expression, value }];
}

/** Finds the JSON key `nameType` (e.g. `valueQuantity` for `value[x]`), also as primitive extension `_nameType`. */
function findChoiceKey(parent: Record<string, unknown>, name: string): string | undefined {
  for (const key of Object.keys(parent)) {
    const bare = key.startsWith('_') ? key.slice(1) : key;
    if (bare.length > name.length && bare.startsWith(name) && isUpperCase(bare.charCodeAt(name.length))) {
      return bare;
    }
  }
  return undefined;
}

/** `String` -> `string`, `DateTime` -> `dateTime`, `Quantity` -> `Quantity` (primitive types start lower-case). */
function fhirTypeName(jsonSuffix: string): string {
  const lower = jsonSuffix.charAt(0).toLowerCase() + jsonSuffix.slice(1);
  return PRIMITIVE_TYPES.has(lower) ? lower : jsonSuffix;
}

const PRIMITIVE_TYPES = new Set([
  'base64Binary',
  'boolean',
  'canonical',
  'code',
  'date',
  'dateTime',
  'decimal',
  'id',
  'instant',
  'integer',
  'markdown',
  'oid',
  'positiveInt',
  'string',
  'time',
  'unsignedInt',
  'uri',
  'url',
  'uuid',
]);

function isUpperCase(charCode: number): boolean {
  return charCode >= 65 && charCode <= 90;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * FHIRPath expression of the first object (depth-first, document order) in `root` that satisfies `predicate`,
 * e.g. `Patient.contact[0].name`. Used for the few medplum issues that carry no path at all.
 */
export function findObjectExpression(root: unknown, predicate: (obj: Record<string, unknown>) => boolean): string | undefined {
  const rootType = (root as { resourceType?: unknown } | null)?.resourceType;
  const visit = (value: unknown, expression: string): string | undefined => {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = visit(value[i], `${expression}[${i}]`);
        if (found) {
          return found;
        }
      }
      return undefined;
    }
    if (!isObject(value)) {
      return undefined;
    }
    if (predicate(value)) {
      return expression;
    }
    for (const [key, child] of Object.entries(value)) {
      const found = visit(child, `${expression}.${key.startsWith('_') ? key.slice(1) : key}`);
      if (found) {
        return found;
      }
    }
    return undefined;
  };
  return visit(root, String(rootType));
}
