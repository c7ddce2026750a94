// Checks that medplum's validator leaves out for resources inside the validated one.
//
// medplum evaluates the root invariants (dom-2, obs-6, ...) of the validated resource only: a resource in
// `contained`, `Bundle.entry.resource` or `Parameters.parameter.resource` is crawled element by element, but
// its own root invariants are not evaluated. It also skips org-1 by design, and never evaluates ref-1 (a
// datatype invariant; see definition-fixes.ts). This module finds every resource in the tree, with its
// container, and evaluates:
//   - that each nested resource has a known resourceType,
//   - the root invariants of each nested resource (with %resource / %rootResource as FHIR defines them),
//   - org-1 on every Organization, including the validated one,
//   - ref-1: a local reference `#id` must name a resource contained in the same container resource.
// Not evaluated (they need FHIRPath `descendants()`/`children()`, which medplum does not implement):
// ele-1 (covered by medplum's structural empty-value checks), dom-3 (contained resources referenced),
// and sdf-19 (skipped by medplum as well).

import { evalFhirPathTyped, getDataType, isResourceType, parseFhirPath, toTypedValue } from '@medplum/core';

type JsonObject = Record<string, unknown>;

export interface NestedResourceIssue {
  code: 'structure' | 'invariant';
  expression: string;
  diagnostics: string;
}

interface ResourceNode {
  resource: JsonObject;
  expression: string;
  /** The resource whose `contained` holds this one. */
  container?: JsonObject;
  isRoot: boolean;
}

interface LocalReference {
  reference: string;
  expression: string;
  owner: ResourceNode;
}

const UNSUPPORTED_INVARIANTS = new Set(['ele-1', 'dom-3', 'sdf-19']);
/** Evaluated on the validated resource too, because medplum skips them there. */
const SKIPPED_BY_MEDPLUM = new Set(['org-1']);
const UCUM = toTypedValue('http://unitsofmeasure.org');

type FhirPathAtom = ReturnType<typeof parseFhirPath>;
const parsedExpressions = new Map<string, FhirPathAtom>();

export function checkNestedResources(root: JsonObject): NestedResourceIssue[] {
  const { resources, localReferences } = scan(root);
  const issues: NestedResourceIssue[] = [];
  for (const node of resources) {
    issues.push(...checkRootInvariants(node));
  }
  for (const ref of localReferences) {
    if (!localTargetExists(ref)) {
      issues.push({
        code: 'invariant',
        expression: ref.expression,
        diagnostics: `Constraint ref-1 not met: SHALL have a contained resource if a local reference is provided (reference '${ref.reference}')`,
      });
    }
  }
  return issues;
}

function checkRootInvariants(node: ResourceNode): NestedResourceIssue[] {
  const type = node.resource.resourceType;
  if (typeof type !== 'string' || !isResourceType(type)) {
    // medplum aborts on an unknown type in a resource position and ignores `resourceType` elsewhere
    return [
      {
        code: 'structure',
        expression: `${node.expression}.resourceType`,
        diagnostics: `Unknown resource type ${JSON.stringify(type)}`,
      },
    ];
  }
  const issues: NestedResourceIssue[] = [];
  const typed = toTypedValue(node.resource);
  const variables = {
    '%context': typed,
    '%resource': typed,
    '%rootResource': node.container ? toTypedValue(node.container) : typed,
    '%ucum': UCUM,
  };
  for (const constraint of getDataType(type).constraints ?? []) {
    if (constraint.severity !== 'error' || UNSUPPORTED_INVARIANTS.has(constraint.key)) {
      continue;
    }
    if (node.isRoot && !SKIPPED_BY_MEDPLUM.has(constraint.key)) {
      continue; // medplum evaluated it
    }
    let ok: boolean;
    let error = '';
    try {
      const result = evalFhirPathTyped(parsed(constraint.expression), [typed], variables);
      ok = result.length === 1 && result[0].value === true;
    } catch (err) {
      ok = false;
      error = ` (error: ${(err as Error).message})`;
    }
    if (!ok) {
      issues.push({
        code: 'invariant',
        expression: node.expression,
        diagnostics: `Constraint ${constraint.key} not met: ${constraint.description} (expression: ${constraint.expression})${error}`,
      });
    }
  }
  return issues;
}

function parsed(expression: string): FhirPathAtom {
  let atom = parsedExpressions.get(expression);
  if (!atom) {
    atom = parseFhirPath(expression);
    parsedExpressions.set(expression, atom);
  }
  return atom;
}

/** R5 ref-1, evaluated with FHIR's %rootResource (the container of a contained resource, else the resource). */
function localTargetExists(ref: LocalReference): boolean {
  if (ref.reference === '#') {
    return ref.owner.container !== undefined; // a contained resource referring to its container
  }
  const root = ref.owner.container ?? ref.owner.resource;
  const contained = root.contained;
  const id = ref.reference.slice(1);
  return Array.isArray(contained) && contained.some((c) => (c as JsonObject | null)?.id === id);
}

/** Walks the JSON once, collecting resources (objects with `resourceType`) and local references. */
function scan(root: JsonObject): { resources: ResourceNode[]; localReferences: LocalReference[] } {
  const resources: ResourceNode[] = [];
  const localReferences: LocalReference[] = [];
  const segments: string[] = [];
  const expression = (): string => segments.join('.');

  const visit = (value: unknown, owner: ResourceNode, containedIn: JsonObject | undefined): void => {
    if (Array.isArray(value)) {
      const last = segments.length - 1;
      const name = segments[last];
      value.forEach((item, i) => {
        segments[last] = `${name}[${i}]`;
        visit(item, owner, containedIn);
      });
      segments[last] = name;
      return;
    }
    if (typeof value !== 'object' || value === null) {
      return;
    }
    const obj = value as JsonObject;
    let current = owner;
    if (obj.resourceType !== undefined && obj !== owner.resource) {
      current = { resource: obj, expression: expression(), container: containedIn, isRoot: false };
      resources.push(current);
    }
    if (typeof obj.reference === 'string' && obj.reference.startsWith('#')) {
      localReferences.push({ reference: obj.reference, expression: expression(), owner: current });
    }
    for (const key of Object.keys(obj)) {
      const child = obj[key];
      if (typeof child !== 'object' || child === null) {
        continue;
      }
      segments.push(key.startsWith('_') ? key.slice(1) : key);
      // Only a resource's own `contained` makes it the container; Bundle entries etc. are their own roots.
      visit(child, current, key === 'contained' && obj === current.resource ? current.resource : undefined);
      segments.pop();
    }
  };

  const rootNode: ResourceNode = { resource: root, expression: String(root.resourceType), isRoot: true };
  resources.push(rootNode);
  segments.push(rootNode.expression);
  visit(root, rootNode, undefined);
  return { resources, localReferences };
}
