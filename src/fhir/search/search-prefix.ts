export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

const prefixes = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const head = value.slice(0, 2) as Prefix;
  if (prefixes.has(head) && /^[\d-]/.test(value.slice(2))) return { prefix: head, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}

/**
 * SQL for "stored range [low, high] relates to search range [lo, hi] as prefix says" (R4 §3.1.1.4.2),
 * with an absent end of the stored range taken as open. lo and hi bind their parameter only when called:
 * a bound parameter the statement does not use has no type, which PostgreSQL refuses.
 */
export function rangeCondition(prefix: Prefix, low: string, high: string, lo: () => string, hi: () => string, kind: 'timestamptz' | 'numeric'): string {
  const inf = kind === 'timestamptz' ? `'infinity'::timestamptz` : `'Infinity'::numeric`;
  const ninf = kind === 'timestamptz' ? `'-infinity'::timestamptz` : `'-Infinity'::numeric`;
  const l = `COALESCE(${low}, ${ninf})`;
  const h = `COALESCE(${high}, ${inf})`;
  const within = () => `(${l} >= ${lo()} AND ${h} <= ${hi()})`;
  switch (prefix) {
    // The same rows as within(), written so that an index on low can serve it as a bounded range
    // (COALESCE hides the column from the planner): low and high are null exactly where within()
    // compares an infinity, and low <= high. Only here: under NOT (ne) a null is not a false.
    case 'eq': return `(${low} >= ${lo()} AND ${low} <= ${hi()} AND ${high} <= ${hi()})`;
    case 'ne': return `NOT ${within()}`;
    case 'gt': return `${h} > ${hi()}`;
    case 'lt': return `${l} < ${lo()}`;
    case 'ge': return `(${h} > ${hi()} OR ${within()})`;
    case 'le': return `(${l} < ${lo()} OR ${within()})`;
    case 'sa': return `${l} > ${hi()}`;
    case 'eb': return `${h} < ${lo()}`;
    case 'ap': return `(${l} <= ${hi()} AND ${h} >= ${lo()})`;
  }
}

/** A bound parameter added on first use and reused after. */
export function lazyParam(add: () => string): () => string {
  let name: string | undefined;
  return () => (name ??= add());
}
