import { randomUUID } from 'node:crypto';
import { readPackageFile } from '../../../fhir/definitions/examples-package.ts';
import { processBundle } from '../../../fhir/bundle/process-bundle.ts';
import { topLevelElements } from '../../../fhir/definitions/structure-definitions.ts';
import { fhirErrors } from '../../../fhir/outcome/errors.ts';
import type { OperationDefinition } from '../../../fhir/operations/operation-definition.ts';
import type { Operation } from '../../../fhir/operations/operation-registry.ts';
import { writeSource } from '../../../fhir/repository/write-source.ts';

export const PMIR_PATIENT_FEED = 'urn:ihe:iti:pmir:2019:patient-feed';

type Json = Record<string, any>;

/**
 * [base]/$process-message for IHE PMIR patient feeds (ITI-93): the message's history Bundle of
 * Patient (and RelatedPerson…) creates, updates and merges runs as one transaction, on behalf of the
 * source the MessageHeader names, and the answer is a response message.
 */
export const processMessage: Operation = {
  definition: { ...readPackageFile<OperationDefinition>('OperationDefinition-MessageHeader-process-message.json'), type: true, resource: ['Bundle'] },
  async execute(ctx, call) {
    const message = call.input.get('content')?.[0] as Json | undefined;
    if (!message || message.resourceType !== 'Bundle' || message.type !== 'message') {
      throw fhirErrors.invalidBundle('$process-message takes a Bundle of type message', ['Bundle.type']);
    }
    const header = message.entry?.[0]?.resource as Json | undefined;
    if (header?.resourceType !== 'MessageHeader') throw fhirErrors.invalidBundle('The first entry of a message must be its MessageHeader', ['Bundle.entry[0].resource']);
    if (header.eventUri !== PMIR_PATIENT_FEED) {
      throw fhirErrors.invalidBundle(`Only the PMIR patient feed event (${PMIR_PATIENT_FEED}) is processed, not '${header.eventUri ?? header.eventCoding?.code}'`, ['MessageHeader.event']);
    }
    const focusRef: string | undefined = header.focus?.[0]?.reference;
    const focusIndex = (message.entry as Json[]).findIndex((e, i) => i > 0 && e.resource?.resourceType === 'Bundle' &&
      (!focusRef || e.fullUrl === focusRef || focusRef === `Bundle/${e.resource.id}` || focusRef.endsWith(`/Bundle/${e.resource.id}`)));
    const feed = focusIndex > 0 ? message.entry[focusIndex].resource as Json : undefined;
    if (!feed || feed.type !== 'history') throw fhirErrors.invalidBundle('MessageHeader.focus must be a history Bundle in the message', ['MessageHeader.focus']);
    ctx.access?.checkType('Patient', 'c');
    ctx.access?.checkType('Patient', 'u');

    const warnings: Json[] = [];
    const entries = ((feed.entry ?? []) as Json[]).map((e, i) => feedEntry(e, i, focusIndex, warnings));
    const source: string = header.source?.endpoint ?? header.sender?.reference ?? 'unknown-source';
    const result = await writeSource.run(source, () => processBundle(ctx, {
      ...call.request, method: 'POST', path: '', query: [], body: { resourceType: 'Bundle', type: 'transaction', entry: entries },
    }));
    // A refused feed is refused whole (the transaction stored nothing): the error is the answer.
    if (result.status >= 400) return result;
    const response = JSON.parse(result.body as string) as Json;
    const responseBundleId = randomUUID();
    const detailsId = randomUUID();
    return {
      status: 200,
      headers: {},
      body: JSON.stringify({
        resourceType: 'Bundle', id: randomUUID(), type: 'message', timestamp: new Date().toISOString(),
        entry: [
          {
            fullUrl: `urn:uuid:${randomUUID()}`,
            resource: {
              resourceType: 'MessageHeader', eventUri: PMIR_PATIENT_FEED,
              source: { endpoint: `${ctx.baseUrl}/$process-message` },
              destination: header.source?.endpoint ? [{ endpoint: header.source.endpoint }] : undefined,
              response: { identifier: header.id ?? message.id ?? 'unknown', code: 'ok', ...(warnings.length > 0 ? { details: { reference: `urn:uuid:${detailsId}` } } : {}) },
              focus: [{ reference: `urn:uuid:${responseBundleId}` }],
            },
          },
          { fullUrl: `urn:uuid:${responseBundleId}`, resource: { ...response, type: 'history' } },
          ...(warnings.length > 0 ? [{ fullUrl: `urn:uuid:${detailsId}`, resource: { resourceType: 'OperationOutcome', issue: warnings } }] : []),
        ],
      }),
    };
  },
};

/** A history-Bundle entry as a transaction entry: POST creates, PUT updates the resource it carries. */
function feedEntry(entry: Json, i: number, focusIndex: number, warnings: Json[]): Json {
  const where = `Bundle.entry[${focusIndex}].resource.entry[${i}]`;
  const method = String(entry?.request?.method ?? '').toUpperCase();
  if (!entry?.resource?.resourceType) throw fhirErrors.invalidBundle(`${where} carries no resource`, [where]);
  const resource = repairSingletons(entry.resource as Json, `${where}.resource`, warnings);
  if (method === 'POST') {
    const { id: _id, ...rest } = resource;
    return { fullUrl: entry.fullUrl, resource: rest, request: { method: 'POST', url: resource.resourceType } };
  }
  if (method === 'PUT') {
    // The resource says what it is; senders' request URLs are not always in step with it.
    if (!resource.id) throw fhirErrors.invalidBundle(`${where}: an update must carry the resource's id`, [`${where}.resource.id`]);
    return { fullUrl: entry.fullUrl, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
  }
  throw fhirErrors.invalidBundle(`${where}.request.method must be POST or PUT in a patient feed, not '${method}'`, [`${where}.request.method`]);
}

/**
 * Identity feeds from older HL7 v2-era sources often write a repeating element as one object
 * (`"generalPractitioner": {...}`). The meaning is unambiguous, so the registry wraps it in an array
 * and says so in the response, as lenient FHIR parsers do, instead of losing the registration.
 */
function repairSingletons(resource: Json, where: string, warnings: Json[]): Json {
  const out: Json = { ...resource };
  for (const element of topLevelElements(resource.resourceType)) {
    const value = out[element.name];
    if (element.max === '*' && value !== undefined && value !== null && !Array.isArray(value)) {
      out[element.name] = [value];
      warnings.push({ severity: 'warning', code: 'structure', diagnostics: `${resource.resourceType}.${element.name} repeats: the single value was read as a list of one`, expression: [`${where}.${element.name}`] });
    }
  }
  return out;
}
