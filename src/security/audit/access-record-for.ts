import type { FhirRequest, FhirResponse } from '../../fhir/rest/fhir-request.ts';
import type { Actor } from '../access/actor.ts';
import { categoryOf } from '../access/resource-categories.ts';
import type { AccessRecord, AuditAction, AuditOutcome } from './audit-event.ts';

const fullUrlPattern = /"fullUrl":"[^"]*?\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})"/g;
const patientRefPattern = /"reference":"(?:[^"]*\/)?Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^"]*)?"/g;
const headPattern = /^\{"resourceType":"([A-Z][A-Za-z]+)","id":"([A-Za-z0-9\-.]{1,64})"/;

/**
 * What one FHIR exchange touched, for its AuditEvent: read from the request and the response text
 * (our own serialisation) without parsing it. Returns undefined for what is not patient data and not
 * a change (directory reads, metadata), so the audit trail holds what the law asks about.
 */
export function accessRecordFor(actor: Actor | undefined, req: FhirRequest, res: FhirResponse, address?: string): AccessRecord | undefined {
  const segments = req.path.split('/').filter(Boolean);
  const [type, id, third] = segments;
  const interaction = interactionOf(req.method, segments);
  const action = actionOf(interaction);
  const resources = new Set<string>();
  const patients = new Set<string>();
  const body = res.body ?? '';
  if (res.status < 300 && body) {
    for (const m of body.matchAll(fullUrlPattern)) resources.add(`${m[1]}/${m[2]}`);
    const head = headPattern.exec(body);
    if (head && head[1] !== 'Bundle' && head[1] !== 'OperationOutcome') resources.add(`${head[1]}/${head[2]}`);
    for (const m of body.matchAll(patientRefPattern)) patients.add(`Patient/${m[1]}`);
  }
  if (type && id && !id.startsWith('$') && !id.startsWith('_') && /^[A-Z]/.test(type)) resources.add(`${type}/${id}`);
  if (res.headers.Location) {
    const m = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/_history\//.exec(res.headers.Location);
    if (m) resources.add(`${m[1]}/${m[2]}`);
  }
  for (const r of resources) if (r.startsWith('Patient/')) patients.add(r);
  const touchesPatientData = [...resources].some((r) => categoryOf(r.split('/')[0]) !== 'directory') || patients.size > 0
    || (type !== undefined && categoryOf(type) !== 'directory');
  const isChange = action !== 'R' && action !== 'E';
  const refused = res.status >= 400;
  if (!touchesPatientData && !isChange && !refused) return undefined;
  if (type === 'metadata') return undefined;
  const outcome: AuditOutcome = res.status >= 500 ? '8' : res.status >= 400 ? '4' : '0';
  return {
    actor,
    action,
    interaction,
    resources: [...resources],
    patients: [...patients],
    outcome,
    ...(refused ? { outcomeDescription: outcomeText(res) } : {}),
    address,
    ...(interaction === 'search-type' || third === '$everything' ? { query: `${req.path}?${new URLSearchParams(req.query)}` } : {}),
  };
}

function interactionOf(method: string, segments: string[]): string {
  const [first, second, third] = segments;
  if (segments.length === 0) return method === 'POST' ? 'transaction' : 'capabilities';
  if ([first, second, third].some((s) => s?.startsWith('$'))) return 'operation';
  if (segments.includes('_history')) return segments.length === 4 ? 'vread' : 'history';
  if (segments.length === 1 || second === '_search') {
    return { GET: 'search-type', HEAD: 'search-type', POST: second === '_search' ? 'search-type' : 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? 'operation';
  }
  return { GET: 'read', HEAD: 'read', PUT: 'update', PATCH: 'patch', DELETE: 'delete', POST: 'operation' }[method] ?? 'operation';
}

function actionOf(interaction: string): AuditAction {
  if (interaction === 'create') return 'C';
  if (interaction === 'update' || interaction === 'patch') return 'U';
  if (interaction === 'delete') return 'D';
  if (interaction === 'read' || interaction === 'vread' || interaction === 'history') return 'R';
  return 'E';
}

function outcomeText(res: FhirResponse): string {
  const m = /"diagnostics":"((?:[^"\\]|\\.)*)"/.exec(res.body ?? '');
  return m ? JSON.parse(`"${m[1]}"`) as string : `HTTP ${res.status}`;
}
