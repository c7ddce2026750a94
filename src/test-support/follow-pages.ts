import assert from 'node:assert/strict';

type Json = Record<string, any>;

/** Follows a Bundle's next links through a test server, returning every page's entries in order. */
export async function followPages(fhir: (path: string) => Promise<{ status: number; body: Json }>, first: Json, maxPages = 100): Promise<Json[]> {
  const entries = [...(first.entry ?? [])];
  let page = first;
  for (let i = 0; i < maxPages; i++) {
    const next = page.link?.find((l: Json) => l.relation === 'next')?.url;
    if (!next) return entries;
    const res = await fhir(next);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    page = res.body;
    entries.push(...(page.entry ?? []));
  }
  throw new Error('too many pages');
}
