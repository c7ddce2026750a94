import { readPackageFile } from './examples-package.ts';
import { resourceTypeNames } from './structure-definitions.ts';

export type SearchParamType = 'string' | 'token' | 'reference' | 'date' | 'number' | 'quantity' | 'uri' | 'composite' | 'special';

export interface SearchParameterResource {
  url: string;
  code: string;
  base: string[];
  type: SearchParamType;
  expression?: string;
  target?: string[];
  component?: { definition: string; expression: string }[];
}

/** A search parameter as it applies to one resource type. */
export interface SearchParam {
  code: string;
  type: SearchParamType;
  url: string;
  /** The FHIRPath expression narrowed to this resource type; undefined when not indexable (e.g. _content). */
  expression?: string;
  /**
   * The top-level alternatives of `expression`, evaluated one by one: a union de-duplicates with deep
   * equality, which costs time at every write and which fhirpath.js cannot do for some values (a
   * Quantity with a comparator), failing the whole parameter. Index rows are de-duplicated anyway.
   */
  expressions: string[];
  target: string[];
  components: { param: SearchParam; expression: string }[];
}

/**
 * Keeps the parts of a multi-type expression that apply to one type: `Patient.name | Person.name`
 * evaluated on a Patient only needs `Patient.name`, and evaluating the rest costs time at every write.
 */
export function narrowExpression(expression: string, resourceType: string, allTypes: Set<string>): string | undefined {
  const parts = narrowExpressionParts(expression, resourceType, allTypes);
  return parts.length > 0 ? parts.join(' | ') : undefined;
}

export function narrowExpressionParts(expression: string, resourceType: string, allTypes: Set<string>): string[] {
  const parts = splitTopLevelUnion(expression);
  const kept = parts.filter((part) => {
    const head = /^\(?\s*([A-Za-z]+)[.\s)]/.exec(part)?.[1] ?? /^\(?\s*([A-Za-z]+)$/.exec(part)?.[1];
    if (head === 'Resource' || head === 'DomainResource' || head === resourceType) return true;
    return !head || !allTypes.has(head);
  });
  return kept.map((part) => fixExpression(rewriteResolveIs(part)));
}

/**
 * `x.where(resolve() is Patient)` needs the referenced resource; the type is already in the reference
 * string, so test that instead of loading the target at index time. A contained target (`#id`) is in
 * the resource itself, so its type is looked up there.
 */
function rewriteResolveIs(part: string): string {
  return part.replace(/where\(resolve\(\) is ([A-Za-z]+)\)/g, (_m, type: string) =>
    `where(reference.matches('(^|/)${type}/[^/]+(/_history/[^/]+)?$') or (reference.startsWith('#') and %resource.contained.ofType(${type}).id contains reference.substring(1)))`);
}

/**
 * Errata of the R4 expressions, as R5 corrected them:
 * - `(X as T)` and `X.as(T)` are errors when X holds several items (Observation.component.value,
 *   useContext.value), so the whole parameter would index nothing; `X.ofType(T)` is what was meant.
 * - `value.as(DateTime)` (Observation code-value-date) names the System type, which a FHIR dateTime
 *   is not, so it selects nothing.
 */
export function fixExpression(expression: string): string {
  return expression
    .replace(/\(([A-Za-z.]+) as ([A-Za-z]+)\)/g, '$1.ofType($2)')
    .replace(/\.as\(([A-Za-z]+)\)/g, '.ofType($1)')
    .replace(/\.ofType\(DateTime\)/g, '.ofType(dateTime)');
}

function splitTopLevelUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of expression) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === '|') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

export class SearchParameterRegistry {
  private readonly byType = new Map<string, Map<string, SearchParam>>();

  constructor(definitions: SearchParameterResource[], resourceTypes: Set<string>) {
    const byUrl = new Map(definitions.map((d) => [d.url, d]));
    const abstractTypes = new Set([...resourceTypes, 'Resource', 'DomainResource']);
    const make = (def: SearchParameterResource, type: string): SearchParam => {
      const expressions = def.expression ? narrowExpressionParts(def.expression, type, abstractTypes) : [];
      return {
        code: def.code,
        type: def.type,
        url: def.url,
        expression: expressions.length > 0 ? expressions.join(' | ') : undefined,
        expressions,
        target: def.target ?? [],
        components: (def.component ?? []).flatMap((c) => {
          const component = byUrl.get(c.definition);
          if (!component) return [];
          const expressions = splitTopLevelUnion(c.expression).map(fixExpression);
          const expression = expressions.join(' | ');
          return [{ param: { ...make(component, type), expression, expressions }, expression }];
        }),
      };
    };
    for (const type of resourceTypes) this.byType.set(type, new Map());
    for (const def of definitions) {
      const bases = def.base.flatMap((b) => (b === 'Resource' || b === 'DomainResource' ? [...resourceTypes] : [b]));
      for (const type of bases) {
        const params = this.byType.get(type);
        if (!params) continue;
        const param = make(def, type);
        // _text, _content and _query have no expression: they are not offered rather than half-done.
        if (!param.expression) continue;
        params.set(def.code, param);
      }
    }
  }

  forType(resourceType: string): Map<string, SearchParam> {
    return this.byType.get(resourceType) ?? new Map();
  }

  get(resourceType: string, code: string): SearchParam | undefined {
    return this.byType.get(resourceType)?.get(code);
  }
}

let registry: SearchParameterRegistry | undefined;

/** The R4 SearchParameters of the specification, for every resource type. */
export function r4SearchParameters(): SearchParameterRegistry {
  if (!registry) {
    const bundle = readPackageFile<{ entry: { resource: SearchParameterResource }[] }>('Bundle-searchParams.json');
    registry = new SearchParameterRegistry(bundle.entry.map((e) => e.resource), resourceTypeNames());
  }
  return registry;
}
