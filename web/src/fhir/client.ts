import { fhirBase } from '../config.ts';
import type { OperationOutcome } from './types.ts';
import { FhirError, resolveFhirUrl } from './urls.ts';

export { FhirError };

export interface FhirRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface FhirClient {
  request<T>(pathOrUrl: string, init?: FhirRequest): Promise<T>;
}

function describe(outcome: OperationOutcome | undefined, fallback: string): string {
  const texts = outcome?.issue?.map((i) => i.diagnostics ?? i.details?.text).filter(Boolean) ?? [];
  return texts.length ? texts.join('; ') : fallback;
}

/** FHIR over fetch with the bearer token; a 401 gets one silent renewal before it is an error. */
export function createFhirClient(getToken: () => string | undefined, onUnauthorized: () => Promise<string | undefined>): FhirClient {
  async function send(url: string, init: FhirRequest, token: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/fhir+json', ...init.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/fhir+json';
    }
    return fetch(url, { method: init.method ?? 'GET', headers, body, signal: init.signal });
  }
  return {
    async request<T>(pathOrUrl: string, init: FhirRequest = {}): Promise<T> {
      const url = resolveFhirUrl(pathOrUrl, fhirBase);
      let response = await send(url, init, getToken());
      if (response.status === 401) {
        const renewed = await onUnauthorized();
        if (renewed) response = await send(url, init, renewed);
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!response.ok) {
        const outcome = (json as OperationOutcome | undefined)?.resourceType === 'OperationOutcome' ? (json as OperationOutcome) : undefined;
        throw new FhirError(response.status, describe(outcome, `${response.status} ${response.statusText}`), outcome);
      }
      return json as T;
    },
  };
}
