// Required code-binding check. @medplum/core does not check codes against ValueSets during (synchronous)
// validation; it only collects, via `ValidatorOptions.collect.tokens`, every value of an element with a
// `required` binding, keyed by ValueSet canonical. This module checks those values against expansions of the
// ValueSets shipped in the examples package: for synchronous callers (repo.validate()). Writes through the engine
// check bindings through the terminology service instead (src/terminology/code-validation.ts), which also knows the
// ValueSets and code systems of the store.

import type { Expansion, ValueSetExpander } from './valueset-expander.ts';

/** A collected value as produced by medplum's validator (path is medplum-style, see fhirpath-expression.ts). */
export interface BoundValue {
  type: string;
  value: unknown;
  path: string;
}

export interface BindingViolation {
  path: string;
  valueSet: string;
  message: string;
}

interface CodingLike {
  system?: unknown;
  code?: unknown;
}

/**
 * The object to pass as `collect.tokens` to medplum, and the map the values end up in.
 *
 * medplum de-duplicates each collected value by scanning all values already collected for the same ValueSet
 * (quadratic: seconds for a large Bundle). The proxy hands medplum an empty list on every read, so that scan is
 * free, and records what medplum writes back. Duplicates this lets through are harmless (issues are de-duplicated).
 */
export function createBoundValueCollector(): { tokens: Record<string, BoundValue[]>; collected: Map<string, BoundValue[]> } {
  const collected = new Map<string, BoundValue[]>();
  const tokens = new Proxy({} as Record<string, BoundValue[]>, {
    get: (): BoundValue[] => [],
    set: (_target, valueSet, values: BoundValue[]): boolean => {
      if (typeof valueSet === 'string') {
        const list = collected.get(valueSet);
        if (list) {
          list.push(...values);
        } else {
          collected.set(valueSet, [...values]);
        }
      }
      return true;
    },
  });
  return { tokens, collected };
}

export function checkRequiredBindings(
  collected: ReadonlyMap<string, BoundValue[]>,
  expander: ValueSetExpander
): BindingViolation[] {
  const violations: BindingViolation[] = [];
  for (const [valueSet, values] of collected) {
    const expansion = expander.expand(valueSet);
    if (!expansion) {
      continue; // not expandable from shipped content: skip the binding
    }
    for (const bound of values) {
      const message = checkValue(bound, expansion);
      if (message) {
        violations.push({ path: bound.path, valueSet, message: `${message} the required value set ${valueSet}` });
      }
    }
  }
  return violations;
}

/** Returns the start of the message for an offending value, or undefined when it conforms (or cannot be judged). */
function checkValue(bound: BoundValue, expansion: Expansion): string | undefined {
  const value = primitiveOf(bound.value);
  switch (bound.type) {
    case 'code':
    case 'string':
    case 'uri':
      if (typeof value !== 'string') {
        return undefined; // extension-only primitive
      }
      return hasCodeInAnySystem(expansion, value) ? undefined : `The code '${value}' is not in`;
    case 'Coding':
    case 'Quantity':
      return checkCoding(value as CodingLike, expansion);
    case 'CodeableConcept': {
      const codings = (value as { coding?: unknown }).coding;
      if (!Array.isArray(codings)) {
        return undefined; // text only: nothing coded to check
      }
      const coded = codings.filter((c: CodingLike) => typeof c?.code === 'string');
      if (coded.length === 0 || coded.some((c: CodingLike) => !checkCoding(c, expansion))) {
        return undefined;
      }
      return `None of the codings (${coded.map(describeCoding).join(', ')}) is in`;
    }
    default:
      return undefined;
  }
}

function checkCoding(coding: CodingLike, expansion: Expansion): string | undefined {
  if (typeof coding?.code !== 'string') {
    return undefined;
  }
  if (typeof coding.system !== 'string') {
    return hasCodeInAnySystem(expansion, coding.code) ? undefined : `The code '${coding.code}' is not in`;
  }
  return expansion.get(coding.system)?.has(coding.code) ? undefined : `The coding ${describeCoding(coding)} is not in`;
}

function describeCoding(coding: CodingLike): string {
  return typeof coding.system === 'string' ? `${coding.system}#${String(coding.code)}` : `'${String(coding.code)}'`;
}

function hasCodeInAnySystem(expansion: Expansion, code: string): boolean {
  for (const codes of expansion.values()) {
    if (codes.has(code)) {
      return true;
    }
  }
  return false;
}

/** medplum wraps primitives that carry extensions (`_field`) in boxed objects; unwrap them. */
function primitiveOf(value: unknown): unknown {
  if (value instanceof String || value instanceof Number || value instanceof Boolean) {
    return value.valueOf();
  }
  return value;
}
