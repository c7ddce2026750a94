/**
 * Replaces temporary references (urn:uuid:…, fullUrls of entries) with the ids the transaction gave
 * them: in every Reference.reference, and in narrative links, as R4 §3.1.0.11.2 asks.
 */
export function rewriteReferences(value: unknown, ids: Map<string, string>, fullUrlBase?: string): unknown {
  if (ids.size === 0) return value;
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, ids, fullUrlBase));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'reference' && typeof v === 'string' && ids.has(v)) out[key] = ids.get(v);
    // A relative reference in an entry whose fullUrl is RESTful is relative to that fullUrl's base (R4 §2.36.4.1).
    else if (key === 'reference' && typeof v === 'string' && fullUrlBase && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(v) && ids.has(`${fullUrlBase}/${v}`)) {
      out[key] = ids.get(`${fullUrlBase}/${v}`);
    } else if (key === 'div' && typeof v === 'string') out[key] = rewriteNarrative(v, ids);
    else out[key] = rewriteReferences(v, ids, fullUrlBase);
  }
  return out;
}

function rewriteNarrative(div: string, ids: Map<string, string>): string {
  if (!div.includes('urn:')) return div;
  let out = div;
  for (const [from, to] of ids) if (from.startsWith('urn:')) out = out.split(from).join(to);
  return out;
}

/** Every distinct conditional reference ("Patient?identifier=…") inside a resource. */
export function conditionalReferences(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) conditionalReferences(v, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'reference' && typeof v === 'string' && /^[A-Z][A-Za-z]+\?/.test(v)) found.add(v);
      else conditionalReferences(v, found);
    }
  }
  return found;
}
