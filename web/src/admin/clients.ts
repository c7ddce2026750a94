import { huzaOrigin } from '../config.ts';
import { FhirError } from '../fhir/client.ts';
import type { OperationOutcome } from '../fhir/types.ts';

/** A system client as the administration API lists it. */
export interface SystemClient {
  client_id: string;
  name: string;
  facility: string | null;
  disabled: boolean;
}

export interface NewClient {
  name: string;
  scope: string;
  facility?: string;
}

async function call<T>(token: string | undefined, init: { method: 'GET' | 'POST'; body?: unknown }): Promise<T> {
  const response = await fetch(`${huzaOrigin}/admin/clients`, {
    method: init.method,
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const json = await response.json().catch(() => undefined) as unknown;
  if (!response.ok) {
    const outcome = (json as OperationOutcome | undefined)?.resourceType === 'OperationOutcome' ? json as OperationOutcome : undefined;
    const text = outcome?.issue?.map((i) => i.diagnostics).filter(Boolean).join('; ');
    throw new FhirError(response.status, text || `${response.status} ${response.statusText}`, outcome);
  }
  return json as T;
}

export const listClients = (token: string | undefined) => call<SystemClient[]>(token, { method: 'GET' });

/** Registers a system client (a facility EMR, a lab system); the secret is shown once, never stored in the app. */
export const createClient = (token: string | undefined, client: NewClient) =>
  call<{ client_id: string; client_secret?: string }>(token, { method: 'POST', body: { name: client.name, scope: client.scope, ...(client.facility ? { facility: client.facility } : {}) } });
