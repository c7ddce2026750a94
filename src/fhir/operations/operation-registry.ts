import type { FhirContext, FhirRequest, FhirResponse } from '../rest/fhir-request.ts';
import type { OperationDefinition } from './operation-definition.ts';
import type { OperationInput } from './operation-parameters.ts';

export interface OperationCall {
  /** Set at type and instance level. */
  resourceType?: string;
  /** Set at instance level. */
  id?: string;
  input: OperationInput;
  request: FhirRequest;
}

/** A FHIR operation: what it is (its OperationDefinition) and how it runs. */
export interface Operation {
  definition: OperationDefinition;
  execute(ctx: FhirContext, call: OperationCall): Promise<FhirResponse>;
}

export type OperationLevel = 'system' | 'type' | 'instance';

/** The operations other domains plug into the FHIR engine; the CapabilityStatement lists exactly these. */
export class OperationRegistry {
  private readonly operations: Operation[] = [];

  register(operation: Operation): void {
    this.operations.push(operation);
  }

  find(code: string, level: OperationLevel, resourceType?: string): Operation | undefined {
    return this.operations.find((op) => {
      const d = op.definition;
      if (d.code !== code || !d[level]) return false;
      if (level === 'system') return true;
      return !d.resource || d.resource.length === 0 || d.resource.includes('Resource') || d.resource.includes(resourceType ?? '');
    });
  }

  all(): Operation[] {
    return [...this.operations];
  }
}
