import { nearOrderSql, parseNear } from './near-sql.ts';
import type { SearchRequest } from './search-request.ts';
import type { SqlParams } from './sql-params.ts';

/**
 * What each type sorts on: ascending by the lowest value a resource has, descending by the highest. An
 * open end of a Period or Range counts as unbounded, so an ongoing period sorts as the latest.
 */
const sortSource: Record<string, { table: string; asc: string; desc: string }> = {
  string: { table: 'sp_string', asc: 'min(s.value)', desc: 'max(s.value)' },
  token: { table: 'sp_token', asc: 'min(s.code)', desc: 'max(s.code)' },
  reference: { table: 'sp_reference', asc: 'min(s.target_id)', desc: 'max(s.target_id)' },
  date: { table: 'sp_date', asc: `min(COALESCE(s.low, '-infinity'::timestamptz))`, desc: `max(COALESCE(s.high, 'infinity'::timestamptz))` },
  number: { table: 'sp_number', asc: `min(COALESCE(s.low, '-Infinity'::numeric))`, desc: `max(COALESCE(s.high, 'Infinity'::numeric))` },
  quantity: { table: 'sp_quantity', asc: `min(COALESCE(s.low, '-Infinity'::numeric))`, desc: `max(COALESCE(s.high, 'Infinity'::numeric))` },
  uri: { table: 'sp_uri', asc: 'min(s.value)', desc: 'max(s.value)' },
};

/** ORDER BY terms for _sort; resources without a value sort last either way, and id breaks ties so pages never overlap. */
export function orderBySql(request: SearchRequest, p: SqlParams): string {
  const terms = request.sort.map(({ param, descending }) => {
    const direction = descending ? 'DESC' : 'ASC';
    if (param.code === '_id') return `r.id ${direction}`;
    if (param.code === '_lastUpdated') return `r.last_updated ${direction}`;
    const source = sortSource[param.type];
    const expression = `(SELECT ${descending ? source.desc : source.asc} FROM ${source.table} s
      WHERE s.resource_type = r.resource_type AND s.resource_id = r.id AND s.param = ${p.add(param.code)})`;
    return `${expression} ${direction} NULLS LAST`;
  });
  if (terms.length === 0) {
    // Without _sort, a `near` search lists the nearest first, as R4 suggests.
    const near = request.filters.find((f) => f.kind === 'param' && f.param.type === 'special' && f.param.code === 'near');
    if (near?.kind === 'param' && near.values.length > 0) terms.push(nearOrderSql(parseNear(near.name, near.values[0]), p));
  }
  terms.push('r.id ASC');
  return terms.join(', ');
}
