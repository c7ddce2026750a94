import { resourceTypeNames } from '../definitions/structure-definitions.ts';
import type { FhirContext } from './fhir-request.ts';

const typeInteractions = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'];

/** The CapabilityStatement, generated from the resource types, search parameters and operations actually wired in. */
export function capabilityStatement(ctx: FhirContext): Record<string, unknown> {
  const registry = ctx.repo.options.searchParameters;
  const operations = ctx.operations.all();
  const resources = [...resourceTypeNames()].map((type) => {
    const params = [...registry.forType(type).values()].filter((p) => p.type !== 'special' || p.code === 'near');
    const references = params.filter((p) => p.type === 'reference');
    return {
      type,
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: typeInteractions.map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalUpdate: true,
      conditionalDelete: 'single',
      referencePolicy: ['literal', 'logical'],
      searchInclude: ['*', ...references.map((p) => `${type}:${p.code}`)],
      searchRevInclude: [],
      searchParam: params.map((p) => ({ name: p.code, definition: p.url, type: p.type })),
      operation: operations
        .filter((op) => (op.definition.type || op.definition.instance) && (op.definition.resource ?? []).some((r) => r === type || r === 'Resource'))
        .map((op) => ({ name: op.definition.code, definition: op.definition.url })),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Huza',
    kind: 'instance',
    software: { name: 'Huza', version: process.env.npm_package_version ?? '0.1.0' },
    implementation: { description: 'Huza national health information exchange: FHIR R4 server', url: ctx.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [{
      mode: 'server',
      resource: resources,
      interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
      searchParam: [
        { name: '_count', type: 'number' }, { name: '_sort', type: 'string' }, { name: '_total', type: 'token' },
        { name: '_include', type: 'special' }, { name: '_revinclude', type: 'special' },
        { name: '_summary', type: 'token' }, { name: '_elements', type: 'string' },
      ],
      operation: operations.filter((op) => op.definition.system).map((op) => ({ name: op.definition.code, definition: op.definition.url })),
    }],
  };
}
