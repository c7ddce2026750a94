export interface OperationParameterDefinition {
  name: string;
  use: 'in' | 'out';
  min: number;
  max: string;
  type?: string;
  part?: OperationParameterDefinition[];
}

/** The part of an OperationDefinition resource the engine reads. */
export interface OperationDefinition {
  resourceType: 'OperationDefinition';
  url: string;
  name: string;
  code: string;
  system: boolean;
  type: boolean;
  instance: boolean;
  resource?: string[];
  affectsState?: boolean;
  parameter?: OperationParameterDefinition[];
  [key: string]: unknown;
}
