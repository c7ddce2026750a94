export interface ParsedReference {
  type: string | null;
  id: string | null;
  version: string | null;
  /** Set for anything that is not a plain relative reference: absolute URLs, canonicals, urn:, #contained. */
  url: string | null;
}

const typeIdPattern = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

export function parseReference(reference: string): ParsedReference {
  const m = typeIdPattern.exec(reference);
  const relative = m !== null && m.index === 0;
  return {
    type: m ? m[1] : null,
    id: m ? m[2] : null,
    version: m ? (m[3] ?? null) : null,
    url: relative ? null : reference,
  };
}
