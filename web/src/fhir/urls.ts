import type { OperationOutcome } from './types.ts';

export class FhirError extends Error {
  readonly status: number;
  readonly outcome?: OperationOutcome;
  constructor(status: number, message: string, outcome?: OperationOutcome) {
    super(message);
    this.name = 'FhirError';
    this.status = status;
    this.outcome = outcome;
  }
}

/**
 * Resolves a path against the FHIR base. Absolute URLs (paging links) are followed only when they
 * point into the same FHIR base, so a bundle can never send the bearer token elsewhere.
 */
export function resolveFhirUrl(pathOrUrl: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) || pathOrUrl.startsWith('//')) {
    const url = new URL(pathOrUrl, base);
    const baseUrl = new URL(base);
    const basePath = baseUrl.pathname.replace(/\/?$/, '/');
    if (url.origin !== baseUrl.origin || !(url.pathname === baseUrl.pathname || url.pathname.startsWith(basePath))) {
      throw new FhirError(0, `refusing to follow a link outside ${base}: ${pathOrUrl}`);
    }
    return url.toString();
  }
  return `${base.replace(/\/$/, '')}/${pathOrUrl.replace(/^\//, '')}`;
}
