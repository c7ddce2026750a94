export interface Preferences {
  return?: 'minimal' | 'representation' | 'OperationOutcome';
  handling?: 'strict' | 'lenient';
}

/** Prefer header (RFC 7240) as FHIR uses it: return=… and handling=…. */
export function parsePrefer(header: string | undefined): Preferences {
  const prefs: Preferences = {};
  for (const part of (header ?? '').split(/[,;]/)) {
    const [name, value] = part.trim().split('=').map((s) => s?.trim().replace(/^"|"$/g, ''));
    if (name === 'return' && (value === 'minimal' || value === 'representation' || value === 'OperationOutcome')) prefs.return = value;
    if (name === 'handling' && (value === 'strict' || value === 'lenient')) prefs.handling = value;
  }
  return prefs;
}
