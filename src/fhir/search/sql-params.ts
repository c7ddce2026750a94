import type { SqlValue } from '../../db/database.ts';

/** Collects bound parameters while SQL text is built, so no search value is ever spliced into SQL. */
export class SqlParams {
  readonly values: SqlValue[] = [];
  private aliasCounter = 0;

  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  alias(prefix: string): string {
    return `${prefix}${++this.aliasCounter}`;
  }
}
