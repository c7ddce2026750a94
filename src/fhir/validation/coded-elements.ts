// Finds the coded values of a resource for the terminology checks of a write (src/terminology/code-validation.ts):
// every Coding, CodeableConcept and Quantity (wherever it sits: datatypes, backbone elements, extensions,
// contained and Bundle-entry resources), and every code/string/uri element with a required binding, each with
// its FHIRPath expression and the element's required or extensible binding.
//
// The walk follows the element definitions medplum indexed from the R4 StructureDefinitions
// (structure-definitions.ts): it knows each property's type, so a backbone element that merely has `system`
// and `code` keys (ValueSet.expansion.contains, for one) is not mistaken for a Coding. Properties it does not
// know are skipped: the structural validation reports them.

import { type InternalSchemaElement, type InternalTypeSchema, isResourceType, tryGetDataType } from '@medplum/core';

export type CodedType = 'code' | 'Coding' | 'CodeableConcept' | 'Quantity';

export interface ElementBinding {
  strength: 'required' | 'extensible';
  /** The ValueSet canonical as the definition states it (R4's carry `|4.0.1`). */
  valueSet: string;
}

export interface CodedElement {
  /** FHIRPath expression of the element, e.g. `Location.type[0]`, `Observation.value.ofType(Quantity)`. */
  expression: string;
  type: CodedType;
  value: unknown;
  binding?: ElementBinding;
}

/** How one JSON property of a type is read: its element type and binding. */
interface Property {
  /** The element name in FHIRPath: `value` for `valueQuantity`. */
  name: string;
  /** Set for a choice-type property: the FHIRPath type name in `.ofType(...)`. */
  choiceType?: string;
  type: string;
  binding?: ElementBinding;
}

const QUANTITY_TYPES = new Set(['Quantity', 'SimpleQuantity', 'MoneyQuantity', 'Age', 'Count', 'Distance', 'Duration']);
const BOUND_PRIMITIVES = new Set(['code', 'string', 'uri']);
/** Types that cannot hold a coded value at any depth (primitives other than the bound ones, and the like). */
const LEAF_TYPES = new Set([
  'base64Binary', 'boolean', 'canonical', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer', 'markdown',
  'oid', 'positiveInt', 'time', 'unsignedInt', 'url', 'uuid', 'xhtml', 'Reference', 'Narrative',
  'http://hl7.org/fhirpath/System.String',
]);

/** Per type: JSON property name → how to read it (choice properties expanded to each of their types). */
const properties = new Map<string, Map<string, Property> | null>();

function propertiesOf(typeName: string): Map<string, Property> | undefined {
  let props = properties.get(typeName);
  if (props === undefined) {
    const schema = tryGetDataType(typeName);
    props = schema ? indexProperties(schema) : null;
    properties.set(typeName, props);
  }
  return props ?? undefined;
}

function indexProperties(schema: InternalTypeSchema): Map<string, Property> {
  const props = new Map<string, Property>();
  for (const [key, element] of Object.entries(schema.elements)) {
    const binding = bindingOf(element);
    if (key.endsWith('[x]')) {
      const name = key.slice(0, -3);
      for (const t of element.type) {
        props.set(name + t.code.charAt(0).toUpperCase() + t.code.slice(1), { name, choiceType: t.code, type: t.code, binding });
      }
    } else if (element.type.length > 0) {
      props.set(key, { name: key, type: element.type[0].code, binding });
    }
  }
  return props;
}

function bindingOf(element: InternalSchemaElement): ElementBinding | undefined {
  const b = element.binding;
  if (!b?.valueSet || (b.strength !== 'required' && b.strength !== 'extensible')) return undefined;
  return { strength: b.strength, valueSet: b.valueSet };
}

/**
 * The coded values of a resource, in document order. Needs the R4 definitions indexed into medplum
 * (createResourceValidator() does that); on an unknown resource type it returns nothing.
 */
export function findCodedElements(resource: Record<string, unknown>): CodedElement[] {
  const out: CodedElement[] = [];
  const type = resource.resourceType;
  if (typeof type === 'string' && isResourceType(type)) visitObject(resource, type, type, out);
  return out;
}

function visitObject(obj: Record<string, unknown>, typeName: string, expression: string, out: CodedElement[]): void {
  const props = propertiesOf(typeName);
  if (!props) return;
  for (const key in obj) {
    const value = obj[key];
    if (value === null || value === undefined) continue;
    if (key.charCodeAt(0) === 95 /* _ */) {
      // A primitive's id and extensions: extensions may carry codings.
      if (typeof value === 'object') visitValues(value, 'Element', `${expression}.${key.slice(1)}`, undefined, out);
      continue;
    }
    const prop = props.get(key);
    if (!prop) continue;
    const path = prop.choiceType ? `${expression}.${prop.name}.ofType(${prop.choiceType})` : `${expression}.${prop.name}`;
    if (BOUND_PRIMITIVES.has(prop.type)) {
      if (prop.binding?.strength === 'required') {
        forEachItem(value, path, (item, itemPath) => out.push({ expression: itemPath, type: 'code', value: item, binding: prop.binding }));
      }
      continue;
    }
    if (typeof value !== 'object' || LEAF_TYPES.has(prop.type)) continue;
    visitValues(value, prop.type, path, prop.binding, out);
  }
}

function visitValues(value: unknown, type: string, path: string, binding: ElementBinding | undefined, out: CodedElement[]): void {
  forEachItem(value, path, (item, itemPath) => {
    if (typeof item !== 'object' || item === null) return;
    const obj = item as Record<string, unknown>;
    if (type === 'Coding' || type === 'CodeableConcept') {
      out.push({ expression: itemPath, type, value: item, binding });
    } else if (QUANTITY_TYPES.has(type)) {
      if (obj.code !== undefined || binding) out.push({ expression: itemPath, type: 'Quantity', value: item, binding });
    }
    const itemType = type === 'Resource' ? obj.resourceType : type;
    if (typeof itemType !== 'string') return;
    if (type === 'Resource' && !isResourceType(itemType)) return;
    visitObject(obj, itemType, itemPath, out);
  });
}

function forEachItem(value: unknown, path: string, fn: (item: unknown, path: string) => void): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) fn(value[i], `${path}[${i}]`);
  } else {
    fn(value, path);
  }
}
