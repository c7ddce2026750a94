export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export interface OperationOutcomeIssue {
  severity: IssueSeverity;
  code: string;
  diagnostics?: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

/** Every refusal of the FHIR engine: an HTTP status and the OperationOutcome issues that say what and where. */
export class FhirError extends Error {
  readonly status: number;
  readonly issues: OperationOutcomeIssue[];

  constructor(status: number, issues: OperationOutcomeIssue[]) {
    super(issues.map((i) => i.diagnostics ?? i.code).join('; '));
    this.status = status;
    this.issues = issues;
  }

  toOperationOutcome(): OperationOutcome {
    return { resourceType: 'OperationOutcome', issue: this.issues };
  }
}

export function outcome(severity: IssueSeverity, code: string, diagnostics: string, expression?: string[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics, ...(expression ? { expression } : {}) }] };
}
