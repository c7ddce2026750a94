import type { SearchParameterRegistry, SearchParam } from '../definitions/search-parameters.ts';
import { isResourceType } from '../definitions/structure-definitions.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { FhirError } from '../outcome/fhir-error.ts';
import {
  defaultPageSize, maxChainDepth, maxPageSize,
  type Filter, type IncludeSpec, type SearchRequest, type SummaryMode,
} from './search-request.ts';

const modifiersByType: Record<string, string[]> = {
  string: ['exact', 'contains', 'missing'],
  token: ['not', 'text', 'of-type', 'missing'],
  reference: ['identifier', 'missing'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  uri: ['below', 'above', 'missing'],
  composite: ['missing'],
};

const resultParameters = new Set(['_sort', '_count', '_offset', '_total', '_include', '_revinclude', '_summary', '_elements', '_snapshot', '_format', '_pretty']);

export interface ParseOptions {
  /** Prefer: handling=lenient — unknown parameters are ignored instead of refused. */
  lenient: boolean;
}

/** Turns the query parameters of a search into a typed request; anything it cannot honour is an error (unless lenient). */
export function parseSearchRequest(
  registry: SearchParameterRegistry,
  resourceType: string,
  query: [string, string][],
  options: ParseOptions,
): SearchRequest {
  const request: SearchRequest = {
    resourceType, filters: [], sort: [], count: defaultPageSize, offset: 0, include: [], revinclude: [], passThrough: [],
  };
  for (const [key, value] of query) {
    if (resultParameters.has(key.split(':')[0])) {
      parseResultParameter(registry, request, key, value);
      continue;
    }
    const filter = parseFilterKey(registry, resourceType, key, 0, options.lenient);
    if (!filter) continue;
    // An empty value (`family=`) asks for nothing and is ignored, as is an empty alternative (`a,,b`).
    const values = splitValues(value).filter((v) => v !== '');
    if (values.length === 0) continue;
    withValues(filter, values);
    request.filters.push(filter);
  }
  return request;
}

function parseResultParameter(registry: SearchParameterRegistry, request: SearchRequest, key: string, value: string): void {
  const [name, modifier] = key.split(':');
  const keep = () => request.passThrough.push([key, value]);
  switch (name) {
    case '_count': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw fhirErrors.invalidSearchValue('_count', value, 'must be a whole number ≥ 0');
      request.count = Math.min(n, maxPageSize);
      return;
    }
    case '_offset': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw fhirErrors.invalidSearchValue('_offset', value, 'must be a whole number ≥ 0');
      request.offset = n;
      return;
    }
    case '_snapshot':
      request.snapshot = value;
      return;
    case '_total':
      if (!['none', 'estimate', 'accurate'].includes(value)) throw fhirErrors.invalidSearchValue('_total', value, 'must be none, estimate or accurate');
      request.total = value as SearchRequest['total'];
      keep();
      return;
    case '_summary':
      if (!['true', 'text', 'data', 'count', 'false'].includes(value)) throw fhirErrors.invalidSearchValue('_summary', value, 'must be true, text, data, count or false');
      request.summary = value as SummaryMode;
      keep();
      return;
    case '_elements':
      request.elements = value.split(',').map((e) => e.trim()).filter(Boolean);
      keep();
      return;
    case '_sort':
      for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        const descending = part.startsWith('-');
        const code = descending ? part.slice(1) : part;
        const param = registry.get(request.resourceType, code);
        if (!param || param.type === 'composite' || param.type === 'special') throw fhirErrors.invalidSearchValue('_sort', value, `'${code}' is not a sortable parameter of ${request.resourceType}`);
        request.sort.push({ name: code, param, descending });
      }
      keep();
      return;
    case '_include':
    case '_revinclude': {
      const spec = parseInclude(registry, name, value, modifier === 'iterate' || modifier === 'recurse');
      (name === '_include' ? request.include : request.revinclude).push(spec);
      keep();
      return;
    }
    default:
      keep();
  }
}

function parseInclude(registry: SearchParameterRegistry, name: string, value: string, iterate: boolean): IncludeSpec {
  if (value === '*') return { sourceType: '*', iterate };
  const [sourceType, param, targetType] = value.split(':');
  if (!isResourceType(sourceType)) throw fhirErrors.invalidSearchValue(name, value, `'${sourceType}' is not a resource type`);
  if (param === '*') return { sourceType, iterate };
  const def = registry.get(sourceType, param ?? '');
  if (!def || def.type !== 'reference') throw fhirErrors.invalidSearchValue(name, value, `'${param}' is not a reference parameter of ${sourceType}`);
  if (targetType !== undefined && !isResourceType(targetType)) throw fhirErrors.invalidSearchValue(name, value, `'${targetType}' is not a resource type`);
  return { sourceType, param, targetType, iterate };
}

/** `root` is the parameter as the client wrote it, which errors name; `key` is what is left of it at this depth. */
function parseFilterKey(
  registry: SearchParameterRegistry, type: string, key: string, depth: number, lenient: boolean, root = key,
): Filter | undefined {
  if (depth > maxChainDepth) throw fhirErrors.chainTooDeep(root, maxChainDepth);
  if (key.startsWith('_has:')) {
    const [, sourceType, refCode, ...rest] = key.split(':');
    if (!sourceType || !refCode || rest.length === 0) throw fhirErrors.invalidSearchValue(key, '', '_has takes the form _has:Type:reference:parameter');
    if (!isResourceType(sourceType)) throw fhirErrors.invalidSearchValue(key, '', `'${sourceType}' is not a resource type`);
    const referenceParam = registry.get(sourceType, refCode);
    if (!referenceParam || referenceParam.type !== 'reference') throw fhirErrors.invalidSearchValue(key, '', `'${refCode}' is not a reference parameter of ${sourceType}`);
    const inner = parseFilterKey(registry, sourceType, rest.join(':'), depth + 1, lenient, root);
    return inner && { kind: 'has', name: key, sourceType, referenceParam, inner };
  }
  const dot = key.indexOf('.');
  const head = dot >= 0 ? key.slice(0, dot) : key;
  const [code, modifier] = splitModifier(head);
  const param = registry.get(type, code);
  if (!param) {
    if (lenient) return undefined;
    throw fhirErrors.unknownSearchParameter(type, code);
  }
  if (dot >= 0) {
    if (param.type !== 'reference') throw fhirErrors.invalidSearchValue(root, '', `'${code}' is not a reference, so it cannot be chained`);
    const candidates = modifier ? [modifier] : targetTypesOf(param);
    if (modifier && !isResourceType(modifier)) throw fhirErrors.unsupportedModifier(code, modifier);
    const rest = key.slice(dot + 1);
    const targets = candidates.flatMap((t) => {
      const innerCode = splitModifier(rest.split('.')[0])[0];
      if (!rest.startsWith('_has:') && !registry.get(t, innerCode)) return [];
      const inner = parseFilterKey(registry, t, rest, depth + 1, lenient, root);
      return inner ? [{ type: t, inner }] : [];
    });
    if (targets.length === 0) {
      if (lenient) return undefined;
      throw fhirErrors.invalidSearchValue(root, '', `no target type of '${code}' has a parameter '${rest}'`);
    }
    return { kind: 'chain', name: key, param, targets };
  }
  if (param.type === 'special' && code === 'near') {
    if (modifier !== undefined) throw fhirErrors.unsupportedModifier(code, modifier);
    return { kind: 'param', name: key, param, values: [] };
  }
  if (param.type === 'special') {
    // Other special parameters need semantics the engine does not have: refused rather than ignored.
    if (lenient) return undefined;
    throw new FhirError(400, [{ severity: 'error', code: 'not-supported', diagnostics: `Search parameter '${code}' (type special) is not supported`, expression: [code] }]);
  }
  if (modifier !== undefined) checkModifier(param, code, modifier);
  return { kind: 'param', name: key, param, modifier, values: [] };
}

function targetTypesOf(param: SearchParam): string[] {
  return param.target.filter(isResourceType);
}

function checkModifier(param: SearchParam, code: string, modifier: string): void {
  if (param.type === 'reference' && isResourceType(modifier)) return;
  if (code === '_id' && (modifier === 'not' || modifier === 'missing')) return;
  if (!(modifiersByType[param.type] ?? []).includes(modifier)) throw fhirErrors.unsupportedModifier(code, modifier);
}

function splitModifier(head: string): [string, string | undefined] {
  const colon = head.indexOf(':');
  return colon >= 0 ? [head.slice(0, colon), head.slice(colon + 1)] : [head, undefined];
}

function withValues(filter: Filter, values: string[]): void {
  if (filter.kind === 'param') filter.values = values;
  else if (filter.kind === 'has') withValues(filter.inner, values);
  else for (const t of filter.targets) withValues(t.inner, values);
}

/**
 * Splits a search value on a separator that is not escaped with a backslash (R4 §3.1.1.5.7). Escapes
 * are either kept, for the next level to read (`,` then `|` or `$`), or resolved in the parts.
 */
function splitOn(value: string, separator: string, keepEscapes: boolean): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) current += (keepEscapes ? ch : '') + value[++i];
    else if (ch === separator) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** The alternatives (OR) of one parameter value, escapes kept for the parser of each. */
export function splitValues(value: string): string[] {
  return splitOn(value, ',', true);
}

/** Splits on an unescaped separator ('|' or '$') and unescapes the parts. */
export function splitEscaped(value: string, separator: '|' | '$'): string[] {
  return splitOn(value, separator, false);
}

/** Splits on an unescaped separator, leaving escapes in the parts for the next level to read. */
export function splitKeepingEscapes(value: string, separator: '|' | '$'): string[] {
  return splitOn(value, separator, true);
}

export function unescapeValue(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}
