/**
 * The benchmark scenarios: their inputs (drawn from the loaded patients), the requests Huza gets, and
 * the captured SQL of each input that the baseline replays.
 */
import type { Database } from '../src/db/database.ts';
import type { ContentCodec } from '../src/fhir/repository/content-codec.ts';
import type { FhirContext, FhirRequest, FhirResponse } from '../src/fhir/rest/fhir-request.ts';
import { handleFhirRequest } from '../src/fhir/rest/handle-fhir-request.ts';
import type { HttpRunRequest } from './http-client.ts';
import type { ScenarioName } from './report.ts';
import { type CapturingDatabase, ReplayableCall } from './sql-capture.ts';
import { nationalIdSystem, newPatient, visitBundle } from './synthetic-data.ts';

export interface SamplePatient {
  id: string;
  resource: Record<string, unknown> & { identifier: { system: string; value: string }[]; name: { family: string }[]; birthDate: string };
}

/** A scenario's inputs, as in-process requests (cycled), their HTTP form, and how to replay its baseline. */
export interface Prepared {
  requests: FhirRequest[];
  /** Builds the request actually sent for input i (updates change a phone number each time). */
  materialize: (r: FhirRequest) => FhirRequest;
  partition: boolean;
  captures: ReplayableCall[];
  http: HttpRunRequest['requests'];
  expect: number[];
}

export function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(Math.random() * 10));
  return s;
}

export function pick<T>(items: T[], partition: boolean, concurrency: number, counter: { n: number }, w: number, seq: number): T {
  if (!partition) return items[counter.n++ % items.length];
  const perWorker = Math.max(1, Math.floor(items.length / concurrency));
  return items[(w + concurrency * (seq % perWorker)) % items.length];
}

function queryString(query: [string, string][]): string {
  return query.length === 0 ? '' : `?${new URLSearchParams(query).toString()}`;
}

/** Ids the server generated during one call, which a replay must replace by new ones. */
function generatedIds(scenario: ScenarioName, response: FhirResponse): string[] {
  if (scenario === 'create') return [/\/Patient\/([^/]+)\/_history/.exec(response.headers.Location ?? '')?.[1] ?? ''].filter(Boolean);
  if (scenario === 'transaction') {
    const bundle = JSON.parse(response.body ?? '{}') as { entry?: { response: { location?: string } }[] };
    return (bundle.entry ?? []).map((e) => /^[A-Za-z]+\/([^/]+)/.exec(e.response.location ?? '')?.[1] ?? '').filter(Boolean);
  }
  if (scenario.startsWith('search')) {
    const snapshot = /[?&]_snapshot=([0-9a-f-]{36})/.exec(response.body ?? '')?.[1];
    return snapshot ? [snapshot] : [];
  }
  return [];
}

export async function samplePatients(db: Database, codec: ContentCodec, count: number, seed: number): Promise<SamplePatient[]> {
  const r = await db.query<{ id: string; version_id: number; content: Uint8Array }>(
    `SELECT id, version_id, content FROM resource WHERE resource_type = 'Patient' AND NOT deleted ORDER BY md5(id || $1) LIMIT $2`, [String(seed), count]);
  const out: SamplePatient[] = [];
  for (const row of r.rows) {
    // Content is stored encrypted: read it as the engine does.
    const json = await codec.decode(row.content, { resourceType: 'Patient', id: row.id, versionId: row.version_id });
    out.push({ id: row.id, resource: JSON.parse(json) });
  }
  return out;
}

export async function prepare(
  scenario: ScenarioName, sample: SamplePatient[], captureCtx: FhirContext, capturing: CapturingDatabase, seed: number,
): Promise<Prepared> {
  let requests: FhirRequest[];
  let materialize = (r: FhirRequest) => r;
  let partition = false;
  let expect = [200];
  const get = (path: string, query: [string, string][] = []): FhirRequest => ({ method: 'GET', path, query, headers: {} });
  switch (scenario) {
    case 'read':
      requests = sample.slice(0, 2000).map((p) => get(`Patient/${p.id}`));
      break;
    case 'search-identifier':
      requests = sample.slice(0, 400).map((p) => {
        const nid = p.resource.identifier.find((i) => i.system === nationalIdSystem)?.value as string;
        return get('Patient', [['identifier', `${nationalIdSystem}|${nid}`]]);
      });
      break;
    case 'search-name-birthdate':
      requests = sample.slice(0, 400).map((p) => get('Patient', [['name', p.resource.name[0].family], ['birthdate', p.resource.birthDate]]));
      break;
    case 'create':
      requests = Array.from({ length: 200 }, (_, n) => ({ method: 'POST', path: 'Patient', query: [], headers: {}, body: newPatient(seed, n) }));
      expect = [201];
      break;
    case 'update': {
      partition = true;
      requests = sample.slice(0, 64).map((p) => {
        const { meta: _meta, ...rest } = p.resource;
        return { method: 'PUT', path: `Patient/${p.id}`, query: [], headers: {}, body: { ...rest, telecom: [{ system: 'phone', value: '+25078{{rand}}', use: 'mobile' }] } };
      });
      materialize = (r) => {
        const body = r.body as { telecom: { value: string }[] };
        return { ...r, body: { ...body, telecom: [{ system: 'phone', value: `+25078${randomDigits(7)}`, use: 'mobile' }] } };
      };
      break;
    }
    case 'transaction':
      requests = Array.from({ length: 50 }, (_, n) => ({ method: 'POST', path: '', query: [], headers: {}, body: visitBundle(seed, n) }));
      break;
  }
  // Capture the baseline: run each input once through Huza with the statements recorded.
  const captures: ReplayableCall[] = [];
  for (const r of requests) {
    capturing.start();
    const response = await handleFhirRequest(captureCtx, materialize(r));
    const steps = capturing.stop();
    if (!expect.includes(response.status)) throw new Error(`${scenario}: capture got ${response.status}: ${response.body?.slice(0, 500)}`);
    captures.push(await ReplayableCall.withContent(steps, generatedIds(scenario, response), captureCtx.repo.options.content));
  }
  const http = requests.map((r) => ({
    method: r.method,
    path: `/fhir/${r.path}${queryString(r.query)}`,
    ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
  }));
  return { requests, materialize, partition, captures, http, expect };
}

