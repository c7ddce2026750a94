import { createHash } from 'node:crypto';
import type { FhirRepository } from '../fhir/repository/fhir-repository.ts';
import type { Operation, OperationCall } from '../fhir/operations/operation-registry.ts';
import { firstString } from '../fhir/operations/operation-parameters.ts';
import { CodeValidation } from './code-validation.ts';
import { Expander } from './expander.ts';
import { terminologyErrors } from './terminology-errors.ts';
import { TerminologySource, type Resolved } from './terminology-source.ts';
import type { CodeSystemResource, ConceptMapResource, TerminologyResource, ValueSetResource } from './terminology-types.ts';
import { lookupOperation, codeSystemValidateCodeOperation, subsumesOperation } from './code-system-operations.ts';
import { expandOperation, valueSetValidateCodeOperation } from './value-set-operations.ts';
import { translateOperation } from './concept-map-operations.ts';

export interface TerminologyOptions {
  /** The most codes $expand returns in one answer; a larger expansion needs a filter or count. */
  maxExpansionSize: number;
}

/** The state the terminology operations share within one FHIR engine (one database): source, caches, limits. */
export class TerminologyService {
  readonly source = new TerminologySource();
  readonly expander = new Expander(this.source);
  /** The checks of codes on every write (required and extensible bindings, codes of the code systems held). */
  readonly codes = new CodeValidation(this.source, (repo, vs) => this.expander.expand(repo, vs));
  readonly options: TerminologyOptions;

  constructor(options: Partial<TerminologyOptions> = {}) {
    this.options = { maxExpansionSize: options.maxExpansionSize ?? 1000 };
  }

  async codeSystem(repo: FhirRepository, call: OperationCall, url: string | undefined, version: string | undefined, inline?: unknown): Promise<Resolved<CodeSystemResource>> {
    return this.resolve<CodeSystemResource>(repo, 'CodeSystem', call, url, version, inline, () => terminologyErrors.unknownCodeSystem(url ?? '', version));
  }

  async valueSet(repo: FhirRepository, call: OperationCall): Promise<Resolved<ValueSetResource>> {
    const url = firstString(call.input, 'url');
    const version = firstString(call.input, 'valueSetVersion');
    return this.resolve<ValueSetResource>(repo, 'ValueSet', call, url, version, call.input.get('valueSet')?.[0], () => terminologyErrors.unknownValueSet(url ?? '', version));
  }

  async conceptMap(repo: FhirRepository, call: OperationCall): Promise<Resolved<ConceptMapResource> | undefined> {
    const url = firstString(call.input, 'url');
    const version = firstString(call.input, 'conceptMapVersion');
    const inline = call.input.get('conceptMap')?.[0];
    if (!call.id && !url && !inline) return undefined;
    return this.resolve<ConceptMapResource>(repo, 'ConceptMap', call, url, version, inline, () => terminologyErrors.unknownConceptMap(url ?? '', version));
  }

  /** The resource an operation is about: the instance, an inline resource or a canonical URL, in that order. */
  private async resolve<T extends TerminologyResource>(
    repo: FhirRepository, type: 'CodeSystem' | 'ValueSet' | 'ConceptMap', call: OperationCall,
    url: string | undefined, version: string | undefined, inline: unknown, unknown: () => Error,
  ): Promise<Resolved<T>> {
    if (call.id) return this.source.byId<T>(repo, type, call.id);
    if (inline !== undefined) {
      const resource = inline as T;
      if (typeof resource !== 'object' || resource === null || resource.resourceType !== type) {
        throw terminologyErrors.conflicting(`The inline ${type.charAt(0).toLowerCase()}${type.slice(1)} parameter must be a ${type}`, [type]);
      }
      return { resource, origin: 'stored', key: `inline/${createHash('sha256').update(JSON.stringify(resource)).digest('base64url')}` };
    }
    if (!url) throw terminologyErrors.missing(`Name the ${type}: url, an inline ${type} or ${type}/[id]/$${call.request.path.split('$')[1] ?? ''}`, ['url']);
    const found = await this.source.find<T>(repo, type, url, version);
    if (!found) throw unknown();
    return found;
  }
}

/** Every terminology operation, sharing one service (the engine's, whose caches its write checks share): what the FHIR engine registers. */
export function terminologyOperations(service: TerminologyService = new TerminologyService()): Operation[] {
  return [
    lookupOperation(service), codeSystemValidateCodeOperation(service), subsumesOperation(service),
    expandOperation(service), valueSetValidateCodeOperation(service), translateOperation(service),
  ];
}
