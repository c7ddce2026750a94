/** The rows one resource contributes to the search index tables (sp_*), one array per table. */
export interface IndexRows {
  string: { param: string; value: string; exact: string; grp: number | null }[];
  token: { param: string; system: string | null; code: string | null; display: string | null; grp: number | null }[];
  reference: { param: string; targetType: string | null; targetId: string | null; targetVersion: string | null; url: string | null; grp: number | null }[];
  date: { param: string; low: Date | null; high: Date | null; grp: number | null }[];
  number: { param: string; low: string | null; high: string | null; grp: number | null }[];
  quantity: { param: string; system: string | null; code: string | null; unit: string | null; low: string | null; high: string | null; grp: number | null }[];
  uri: { param: string; value: string; grp: number | null }[];
}

export type IndexTable = keyof IndexRows;

export const indexTables: IndexTable[] = ['string', 'token', 'reference', 'date', 'number', 'quantity', 'uri'];

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], reference: [], date: [], number: [], quantity: [], uri: [] };
}
