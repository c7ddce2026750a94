import type { SearchParam } from '../definitions/search-parameters.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { parseDateRange } from './date-range.ts';
import { nearFilterSql } from './near-sql.ts';
import { normalizeText } from './normalize-text.ts';
import { splitEscaped, splitKeepingEscapes, unescapeValue } from './parse-search-request.ts';
import { lazyParam, rangeCondition, splitPrefix } from './search-prefix.ts';
import type { Filter, ParamFilter } from './search-request.ts';
import type { SqlParams } from './sql-params.ts';

/** Where a filter applies: SQL expressions for the resource type and id being tested. */
export interface Subject {
  type: string;
  typeSql: string;
  idSql: string;
  /** Set when the resource table row is at hand (top level), for _lastUpdated without a join. */
  lastUpdatedSql?: string;
}

const tableOf: Record<string, string> = {
  string: 'sp_string', token: 'sp_token', reference: 'sp_reference', date: 'sp_date',
  number: 'sp_number', quantity: 'sp_quantity', uri: 'sp_uri',
};

export function filterSql(filter: Filter, subject: Subject, p: SqlParams): string {
  switch (filter.kind) {
    case 'param':
      return paramFilterSql(filter, subject, p);
    case 'chain': {
      const alternatives = filter.targets.map(({ type, inner }) => {
        const a = p.alias('c');
        const innerSql = filterSql(inner, { type, typeSql: p.add(type), idSql: `${a}.target_id` }, p);
        return `EXISTS (SELECT 1 FROM sp_reference ${a} WHERE ${a}.resource_type = ${subject.typeSql} AND ${a}.resource_id = ${subject.idSql}
          AND ${a}.param = ${p.add(filter.param.code)} AND ${a}.target_type = ${p.add(type)} AND ${innerSql})`;
      });
      return `(${alternatives.join(' OR ')})`;
    }
    case 'has': {
      const a = p.alias('h');
      const sourceType = p.add(filter.sourceType);
      const innerSql = filterSql(filter.inner, { type: filter.sourceType, typeSql: sourceType, idSql: `${a}.resource_id` }, p);
      return `EXISTS (SELECT 1 FROM sp_reference ${a} WHERE ${a}.resource_type = ${sourceType} AND ${a}.param = ${p.add(filter.referenceParam.code)}
        AND ${a}.target_type = ${subject.typeSql} AND ${a}.target_id = ${subject.idSql} AND ${innerSql})`;
    }
  }
}

function paramFilterSql(filter: ParamFilter, subject: Subject, p: SqlParams): string {
  const { param, modifier } = filter;
  if (modifier === 'missing' && (param.code === '_id' || param.code === '_lastUpdated')) {
    // Every resource has an id and a lastUpdated.
    return missingValue(filter) ? 'FALSE' : 'TRUE';
  }
  if (modifier === 'missing') return missingSql(filter, subject, p);
  if (param.code === '_id') {
    // _id is a token without a system: "x" and "|x" name the same id.
    const ids = filter.values.map((v) => unescapeValue(v.startsWith('|') ? v.slice(1) : v));
    return modifier === 'not' ? `${subject.idSql} <> ALL(${p.add(ids)}::text[])` : `${subject.idSql} = ANY(${p.add(ids)}::text[])`;
  }
  if (param.code === '_lastUpdated') return lastUpdatedSql(filter, subject, p);
  if (param.type === 'composite') return compositeSql(filter, subject, p);
  if (param.type === 'special' && param.code === 'near') return nearFilterSql(filter, subject, p);
  const table = tableOf[param.type];
  if (!table) throw fhirErrors.unsupportedModifier(param.code, param.type);
  const a = p.alias('t');
  let paramCode = param.code;
  if (modifier === 'of-type') paramCode = `${param.code}:of-type`;
  if (modifier === 'identifier') paramCode = `${param.code}:identifier`;
  const rowTable = modifier === 'identifier' ? 'sp_token' : table;
  const alternatives = filter.values.map((v) => valueSql(param, modifier, v, a, p));
  const where = `${a}.resource_type = ${subject.typeSql} AND ${a}.resource_id = ${subject.idSql} AND ${a}.param = ${p.add(paramCode)}`;
  if (modifier === 'not') return `NOT EXISTS (SELECT 1 FROM ${rowTable} ${a} WHERE ${where} AND (${alternatives.join(' OR ')}))`;
  return `EXISTS (SELECT 1 FROM ${rowTable} ${a} WHERE ${where} AND (${alternatives.join(' OR ')}))`;
}

function missingValue(filter: ParamFilter): boolean {
  const value = filter.values[0];
  if (filter.values.length !== 1 || (value !== 'true' && value !== 'false')) throw fhirErrors.invalidSearchValue(filter.name, filter.values.join(','), ':missing takes true or false');
  return value === 'true';
}

function missingSql(filter: ParamFilter, subject: Subject, p: SqlParams): string {
  const missing = missingValue(filter);
  const code = filter.param.type === 'composite' ? `${filter.param.code}$0` : filter.param.code;
  const table = filter.param.type === 'composite' ? tableOf[filter.param.components[0]?.param.type ?? 'token'] : tableOf[filter.param.type];
  const a = p.alias('m');
  const exists = `EXISTS (SELECT 1 FROM ${table} ${a} WHERE ${a}.resource_type = ${subject.typeSql} AND ${a}.resource_id = ${subject.idSql} AND ${a}.param = ${p.add(code)})`;
  return missing ? `NOT ${exists}` : exists;
}

function lastUpdatedSql(filter: ParamFilter, subject: Subject, p: SqlParams): string {
  const column = subject.lastUpdatedSql ?? 'x.last_updated';
  const alternatives = filter.values.map((v) => {
    const { prefix, rest } = splitPrefix(v);
    const range = parseDateRange(rest);
    if (!range) throw fhirErrors.invalidSearchValue(filter.name, v, 'is not a FHIR date or dateTime');
    return rangeCondition(prefix, column, column, lazyParam(() => p.add(range.low)), lazyParam(() => p.add(range.high)), 'timestamptz');
  });
  const condition = `(${alternatives.join(' OR ')})`;
  if (subject.lastUpdatedSql) return condition;
  return `EXISTS (SELECT 1 FROM resource x WHERE x.resource_type = ${subject.typeSql} AND x.id = ${subject.idSql} AND NOT x.deleted AND ${condition})`;
}

function compositeSql(filter: ParamFilter, subject: Subject, p: SqlParams): string {
  const { param } = filter;
  const alternatives = filter.values.map((value) => {
    // The parts keep their escapes: each is a search value of its own (a token part may hold "\\|").
    const parts = splitKeepingEscapes(value, '$');
    if (parts.length !== param.components.length) {
      throw fhirErrors.invalidSearchValue(filter.name, value, `takes ${param.components.length} values separated by '$'`);
    }
    const aliases = param.components.map(() => p.alias('k'));
    const from = param.components.map((c, j) => {
      const table = tableOf[c.param.type];
      const a = aliases[j];
      const on = j === 0
        ? ''
        : ` ON ${a}.resource_type = ${aliases[0]}.resource_type AND ${a}.resource_id = ${aliases[0]}.resource_id AND ${a}.grp = ${aliases[0]}.grp`;
      return `${j === 0 ? '' : 'JOIN '}${table} ${a}${on}`;
    }).join(' ');
    const conditions = param.components.map((c, j) => {
      const a = aliases[j];
      return `${a}.param = ${p.add(`${param.code}$${j}`)} AND (${valueSql(c.param, undefined, parts[j], a, p)})`;
    });
    return `EXISTS (SELECT 1 FROM ${from} WHERE ${aliases[0]}.resource_type = ${subject.typeSql} AND ${aliases[0]}.resource_id = ${subject.idSql} AND ${conditions.join(' AND ')})`;
  });
  return `(${alternatives.join(' OR ')})`;
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (m) => `\\${m}`);
}

function valueSql(param: SearchParam, modifier: string | undefined, raw: string, a: string, p: SqlParams): string {
  switch (param.type) {
    case 'string': {
      const value = unescapeValue(raw);
      if (modifier === 'exact') return `${a}.exact = ${p.add(value)}`;
      if (modifier === 'contains') return `${a}.value LIKE ${p.add(`%${likeEscape(normalizeText(value))}%`)}`;
      return `${a}.value LIKE ${p.add(`${likeEscape(normalizeText(value))}%`)}`;
    }
    case 'token':
      return tokenSql(param, modifier, raw, a, p);
    case 'reference':
      if (modifier === 'identifier') return tokenSql(param, undefined, raw, a, p);
      return referenceSql(param, modifier, raw, a, p);
    case 'date': {
      const { prefix, rest } = splitPrefix(raw);
      const range = parseDateRange(rest);
      if (!range) throw fhirErrors.invalidSearchValue(param.code, raw, 'is not a FHIR date or dateTime (e.g. 2020, 2020-03, 2020-03-15, 2020-03-15T10:00:00Z)');
      return rangeCondition(prefix, `${a}.low`, `${a}.high`, lazyParam(() => `${p.add(range.low)}::timestamptz`), lazyParam(() => `${p.add(range.high)}::timestamptz`), 'timestamptz');
    }
    case 'number':
      return numberSql(param.code, raw, a, p);
    case 'quantity': {
      // [prefix]number|system|code, or number||unit matching the code or the unit as written (R4 §3.1.1.4.8).
      const [number, system, code] = splitEscaped(raw, '|');
      const numberCondition = numberSql(param.code, number, a, p);
      if (system && code) return `${numberCondition} AND ${a}.system = ${p.add(system)} AND ${a}.code = ${p.add(code)}`;
      if (code) return `${numberCondition} AND (${a}.code = ${p.add(code)} OR ${a}.unit = ${p.add(code)})`;
      if (system) return `${numberCondition} AND ${a}.system = ${p.add(system)}`;
      return numberCondition;
    }
    case 'uri': {
      const value = unescapeValue(raw);
      if (modifier === 'below') return `${a}.value LIKE ${p.add(`${likeEscape(value)}%`)}`;
      // The stored URI is a prefix of the value; compared as text, so '%' or '_' in it is no wildcard.
      if (modifier === 'above') return `left(${p.add(value)}, length(${a}.value)) = ${a}.value`;
      // A canonical without |version names every version of it (R4 §3.1.1.4.13 / §2.1.0.11).
      if (!value.includes('|')) return `(${a}.value = ${p.add(value)} OR ${a}.value LIKE ${p.add(`${likeEscape(value)}|%`)})`;
      return `${a}.value = ${p.add(value)}`;
    }
    default:
      throw fhirErrors.unsupportedModifier(param.code, param.type);
  }
}

function tokenSql(param: SearchParam, modifier: string | undefined, raw: string, a: string, p: SqlParams): string {
  if (modifier === 'text') return `${a}.display LIKE ${p.add(`${likeEscape(normalizeText(unescapeValue(raw)))}%`)}`;
  if (modifier === 'of-type') {
    const [system, code, value] = splitEscaped(raw, '|');
    if (!code || value === undefined || value === '') throw fhirErrors.invalidSearchValue(param.code, raw, ':of-type takes system|code|value');
    return `${a}.system = ${p.add(system)} AND ${a}.code = ${p.add(`${code}|${value}`)}`;
  }
  const parts = splitEscaped(raw, '|');
  if (parts.length === 1) return `${a}.code = ${p.add(parts[0])}`;
  const [system, code] = parts;
  if (system === '') return `${a}.system IS NULL AND ${a}.code = ${p.add(code)}`;
  if (code === '') return `${a}.system = ${p.add(system)}`;
  return `${a}.code = ${p.add(code)} AND ${a}.system = ${p.add(system)}`;
}

function referenceSql(param: SearchParam, modifier: string | undefined, raw: string, a: string, p: SqlParams): string {
  const value = unescapeValue(raw);
  if (modifier) return `${a}.target_type = ${p.add(modifier)} AND ${a}.target_id = ${p.add(value)}`;
  const relative = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/.exec(value);
  if (relative) return `${a}.target_type = ${p.add(relative[1])} AND ${a}.target_id = ${p.add(relative[2])}`;
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) {
    return `${a}.target_id = ${p.add(value)}`;
  }
  // Absolute and canonical references match as written; a canonical without |version matches any version.
  const [url, version] = value.split('|');
  if (version) return `${a}.url = ${p.add(value)}`;
  return `(${a}.url = ${p.add(url)} OR ${a}.url LIKE ${p.add(`${likeEscape(url)}|%`)})`;
}

/**
 * A number's precision is implied by how it is written: "100" means [99.5, 100.5), "100.0" means
 * [99.95, 100.05), "1e2" means [50, 150) (R4 §3.1.1.4.1). The bounds are computed in SQL numeric, so
 * no binary floating point blurs them.
 */
function numberSql(name: string, raw: string, a: string, p: SqlParams): string {
  const { prefix, rest } = splitPrefix(raw);
  if (!/^[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?$/.test(rest)) throw fhirErrors.invalidSearchValue(name, raw, 'is not a number');
  const mantissa = rest.split(/[eE]/)[0];
  const decimals = /\.(\d+)/.exec(mantissa)?.[1].length ?? 0;
  const exponent = Number(/[eE]([+-]?\d+)/.exec(rest)?.[1] ?? 0);
  const value = lazyParam(() => `${p.add(rest)}::numeric`);
  if (prefix === 'eq' || prefix === 'ne' || prefix === 'ap') {
    const half = `${p.add(`5e${exponent - decimals - 1}`)}::numeric`;
    // ap: within 10% of the value (the spec's suggestion), and never narrower than the precision.
    const spread = prefix === 'ap' ? `GREATEST(abs(${value()}) * 0.1, ${half})` : half;
    const low = `COALESCE(${a}.low, '-Infinity'::numeric)`;
    const high = `COALESCE(${a}.high, 'Infinity'::numeric)`;
    const within = prefix === 'ap'
      ? `(${low} <= ${value()} + ${spread} AND ${high} >= ${value()} - ${spread})`
      : `(${low} >= ${value()} - ${spread} AND ${high} < ${value()} + ${spread})`;
    return prefix === 'ne' ? `NOT ${within}` : within;
  }
  return rangeCondition(prefix, `${a}.low`, `${a}.high`, value, value, 'numeric');
}
