// FHIR R4 resource validator: @medplum/core's validator driven by the official R4 StructureDefinitions of the
// `hl7.fhir.r4.examples` package, plus checks medplum leaves out. Only `error`/`fatal` issues mean refusal.
//
// Checked:
// - resourceType (also of contained / Bundle entry / Parameters resources), JSON and FHIR data types,
//   cardinality (min/max, array vs single value, one type per choice element), unknown elements, empty values;
// - primitive formats: medplum's regexes for date/dateTime/instant/time/id/code/uri/oid/uuid/..., calendar
//   dates, integer ranges, base64 (a few corrected to R4 in medplum-quirks.ts);
// - FHIRPath invariants of severity error, evaluated by medplum's FHIRPath engine: element and resource ones
//   (medplum), datatype ones (copied onto elements, definition-fixes.ts), those of nested resources and org-1 /
//   ref-1 (nested-resources.ts); R4 errata corrected in definition-fixes.ts. Not evaluated: ele-1 (covered by
//   the structural checks), dom-3, que-2, sdf-19 (need descendants()/children(), which medplum lacks),
//   txt-1/txt-2 (XHTML content of Narrative.div is not checked);
// - reference target types (medplum-quirks.ts); required bindings against the R4 package's ValueSets
//   (required-bindings.ts, valueset-expander.ts), unless told not to: on writes, the engine checks required and
//   extensible bindings, and codes of the code systems Huza holds, through the terminology service instead
//   (coded-elements.ts finds the values, src/terminology/code-validation.ts judges them).
// Not checked here: conformance to profiles declared in meta.profile, extension definitions, non-required bindings.
//
// Issue expressions are FHIRPath-style (fhirpath-expression.ts): `Patient.name[0].given`,
// `Observation.value.ofType(Quantity)`.

import { isResourceType, OperationOutcomeError, validateResource } from '@medplum/core';
import { readPackageResources } from '../definitions/examples-package.ts';
import { type ResolvedPath, resolvePath } from './fhirpath-expression.ts';
import { reviseMedplumIssue } from './medplum-quirks.ts';
import { checkNestedResources } from './nested-resources.ts';
import { checkRequiredBindings, createBoundValueCollector } from './required-bindings.ts';
import { indexStructureDefinitions, loadBaseStructureDefinitions } from './structure-definitions.ts';
import {
  type CodeSystemJson,
  createValueSetExpander,
  type ValueSetExpander,
  type ValueSetJson,
} from './valueset-expander.ts';

export interface ValidationIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  diagnostics: string;
  expression: string[];
}

export interface ValidateOptions {
  /**
   * Check codes of required bindings against the R4 package's ValueSets (default true). The engine turns this off
   * on writes: the terminology service judges every binding there (src/terminology/code-validation.ts).
   */
  requiredBindings?: boolean;
}

export interface ResourceValidator {
  /** Validates one resource (parsed JSON). Only error/fatal issues mean refusal. */
  validate(resource: unknown, options?: ValidateOptions): ValidationIssue[];
}

interface ValidatorContext {
  expander: ValueSetExpander;
  loadTimeMs: number;
}

// medplum's schema registry is module-global as well; definitions are indexed exactly once per process.
let context: ValidatorContext | undefined;

function loadContext(): ValidatorContext {
  if (!context) {
    const start = performance.now();
    indexStructureDefinitions(loadBaseStructureDefinitions());
    const expander = createValueSetExpander(
      readPackageResources<ValueSetJson>('ValueSet'),
      readPackageResources<CodeSystemJson>('CodeSystem')
    );
    context = { expander, loadTimeMs: performance.now() - start };
  }
  return context;
}

/**
 * Returns the validator. The first call loads and indexes the R4 definitions (StructureDefinitions, ValueSets,
 * CodeSystems: about a second); later calls return immediately.
 */
export function createResourceValidator(): ResourceValidator {
  const ctx = loadContext();
  return {
    validate: (resource, options = {}) => {
      try {
        return validateWith(ctx, resource, options.requiredBindings ?? true);
      } catch (err) {
        // A defect in validation must not let a resource through.
        return [issue('fatal', 'exception', `Validation failed: ${(err as Error).message}`, [])];
      }
    },
  };
}

/** Milliseconds the one-time definition load took (undefined before the first createResourceValidator()). */
export function definitionsLoadTimeMs(): number | undefined {
  return context?.loadTimeMs;
}

/** Convenience: validates with the shared validator. */
export function validate(resource: unknown): ValidationIssue[] {
  return createResourceValidator().validate(resource);
}

/** The issues that mean refusal (error or fatal). */
export function errorsOf(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** True when the issues mean the resource must be refused. */
export function isRefused(issues: ValidationIssue[]): boolean {
  return issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
}

/** One line describing an issue: diagnostics followed by the expression(s). */
export function describeIssue(issue: ValidationIssue): string {
  return `${issue.diagnostics} @ ${issue.expression.join(', ')}`;
}

interface MedplumIssue {
  severity?: string;
  code?: string;
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
}

function validateWith(ctx: ValidatorContext, resource: unknown, requiredBindings: boolean): ValidationIssue[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [issue('fatal', 'structure', 'A resource must be a JSON object', [])];
  }
  const resourceType = (resource as { resourceType?: unknown }).resourceType;
  if (typeof resourceType !== 'string' || !isResourceType(resourceType)) {
    return [issue('error', 'structure', `Unknown resource type ${JSON.stringify(resourceType)}`, ['resourceType'])];
  }

  const { tokens, collected } = createBoundValueCollector();
  let medplumIssues: MedplumIssue[];
  try {
    medplumIssues = validateResource(resource as Parameters<typeof validateResource>[0], {
      ...(requiredBindings ? { collect: { tokens } } : {}),
      // R4 sets no size limit on base64Binary (medplum defaults to 1 MB); request size is the HTTP layer's job.
      base64BinaryMaxBytes: Number.POSITIVE_INFINITY,
    });
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) {
      throw err;
    }
    medplumIssues = err.outcome.issue ?? [];
    if (medplumIssues.length === 1 && medplumIssues[0].details?.text?.startsWith('Unknown data type')) {
      // Thrown, without a path and before anything else is checked, when a nested resource (contained,
      // Bundle entry, ...) has an unknown type; checkNestedResources() reports it with its path.
      medplumIssues = [];
    }
  }

  const root = resource as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  const add = (i: ValidationIssue): void => {
    const key = `${i.severity}|${i.diagnostics}|${i.expression.join(',')}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(i);
    }
  };
  for (const mi of medplumIssues) {
    const message = messageOf(mi);
    const severity = severityOf(mi.severity);
    const code = mi.code ?? 'invalid';
    if (!mi.expression?.length) {
      add(issue(severity, code, message, []));
    }
    for (const path of mi.expression ?? []) {
      const located = locate(path, root, message);
      const revised = reviseMedplumIssue({ severity, code, message, path, ...located }, root);
      if (revised) {
        add(issue(revised.severity, revised.code, revised.message, [revised.expression]));
      }
    }
  }
  for (const nested of checkNestedResources(root)) {
    add(issue('error', nested.code, nested.diagnostics, [nested.expression]));
  }
  for (const violation of checkRequiredBindings(collected, ctx.expander)) {
    add(issue('error', 'code-invalid', violation.message, [locate(violation.path, root, violation.message).expression]));
  }
  return issues;
}

function issue(
  severity: ValidationIssue['severity'],
  code: string,
  diagnostics: string,
  expression: string[]
): ValidationIssue {
  return { severity, code, diagnostics, expression };
}

function severityOf(severity: string | undefined): ValidationIssue['severity'] {
  return severity === 'fatal' || severity === 'warning' || severity === 'information' ? severity : 'error';
}

/** medplum puts the message in details.text and, for invariants, the FHIRPath expression in diagnostics (JSON). */
function messageOf(mi: MedplumIssue): string {
  let message = mi.details?.text ?? mi.diagnostics ?? 'Invalid resource';
  if (mi.diagnostics && mi.details?.text) {
    try {
      const data = JSON.parse(mi.diagnostics) as { fhirpath?: string; error?: { message?: string } };
      if (data.fhirpath) {
        // Datatype invariants copied onto choice elements are wrapped in a type guard (definition-fixes.ts).
        const unwrapped = /^iif\(\$this is \w+, \((.*)\), true\)$/s.exec(data.fhirpath)?.[1] ?? data.fhirpath;
        message += ` (expression: ${unwrapped})`;
      }
      if (data.error?.message) {
        message += ` (error: ${data.error.message})`;
      }
    } catch {
      message += ` (${mi.diagnostics})`;
    }
  }
  return message;
}

/**
 * Concrete FHIRPath expression for a medplum path. When an un-indexed path matches several elements, the one
 * the message is about is picked (e.g. the element holding an array for "Expected single value").
 */
function locate(path: string, resource: unknown, message: string): ResolvedPath {
  const candidates = resolvePath(path, resource);
  if (candidates.length <= 1) {
    return candidates[0] ?? { expression: path, value: undefined };
  }
  let matching = candidates;
  if (message.startsWith('Expected single value')) {
    matching = candidates.filter((c) => Array.isArray(c.value));
  } else if (message.startsWith('Expected array')) {
    matching = candidates.filter((c) => c.value !== undefined && !Array.isArray(c.value));
  } else if (message.startsWith('Invalid empty value')) {
    matching = candidates.filter((c) => isEmptyJson(c.value));
  } else {
    matching = candidates.filter((c) => c.value !== undefined);
  }
  return matching[0] ?? candidates[0];
}

function isEmptyJson(value: unknown): boolean {
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.keys(value).length === 0;
  }
  return value === '';
}
