import { displayName, formatAddress } from './format.ts';
import type { Patient } from './types.ts';

/** One entry of the client registry's review queue (Patient/$cr-reviews). */
export interface Review {
  id: string;
  source: string;
  candidate: string;
  candidatePerson?: string;
  score: number;
  status: string;
  fields: FieldAgreement[];
}

/** How one field compared, and how much that weighed (log2 m/u), as the registry stored it. */
export interface FieldAgreement {
  field: string;
  level: string;
  weight: number;
}

interface ParametersPart { name: string; valueString?: string; valueDecimal?: number; valueCode?: string; valueReference?: { reference?: string }; valueInteger?: number; valueDateTime?: string; part?: ParametersPart[] }
export interface Parameters { resourceType: 'Parameters'; parameter?: ParametersPart[] }

const part = (p: ParametersPart, name: string) => p.part?.find((x) => x.name === name);
const id = (ref: string | undefined) => (ref ?? '').replace(/^Patient\//, '');

export function reviewsFrom(parameters: Parameters): Review[] {
  return (parameters.parameter ?? []).filter((p) => p.name === 'review').map((p) => {
    let fields: FieldAgreement[] = [];
    try {
      fields = JSON.parse(part(p, 'fields')?.valueString ?? '[]') as FieldAgreement[];
    } catch {
      fields = [];
    }
    return {
      id: part(p, 'id')?.valueString ?? '',
      source: id(part(p, 'source')?.valueReference?.reference),
      candidate: id(part(p, 'candidate')?.valueReference?.reference),
      candidatePerson: part(p, 'candidatePerson') ? id(part(p, 'candidatePerson')?.valueReference?.reference) : undefined,
      score: part(p, 'score')?.valueDecimal ?? 0,
      status: part(p, 'status')?.valueCode ?? 'open',
      fields,
    };
  });
}

/** One decision of the registry's history about a source record (Patient/$cr-history). */
export interface Decision {
  at: string;
  person?: string;
  previousPerson?: string;
  method: string;
  by?: string;
  reason?: string;
}

export function decisionsFrom(parameters: Parameters): Decision[] {
  return (parameters.parameter ?? []).filter((p) => p.name === 'decision').map((p) => ({
    at: part(p, 'at')?.valueDateTime ?? '',
    person: part(p, 'person') ? id(part(p, 'person')?.valueReference?.reference) : undefined,
    previousPerson: part(p, 'previousPerson') ? id(part(p, 'previousPerson')?.valueReference?.reference) : undefined,
    method: part(p, 'method')?.valueCode ?? '',
    by: part(p, 'by')?.valueString,
    reason: part(p, 'reason')?.valueString,
  }));
}

export type Agreement = 'agree' | 'partial' | 'disagree' | 'missing';

/** The registry's levels, reduced to what a steward reads at a glance. */
export function agreementOf(level: string, weight: number): Agreement {
  if (level === 'missing') return 'missing';
  if (weight >= 4 || level === 'exact' || level === 'agree') return 'agree';
  if (weight > 0) return 'partial';
  return 'disagree';
}

/** The rows of a side-by-side comparison: each field's value on either record and the registry's verdict. */
export interface ComparisonRow {
  field: string;
  left: string;
  right: string;
  agreement?: Agreement;
  weight?: number;
}

const NID = 'https://moh.gov.rw/fhir/id/national-id';

function fieldValues(p: Patient): Record<string, string> {
  const names = p.name ?? [];
  return {
    given: names.flatMap((n) => n.given ?? []).join(' '),
    family: names.map((n) => n.family).filter(Boolean).join(' '),
    birthDate: p.birthDate ?? '',
    sex: p.gender ?? '',
    nationalId: (p.identifier ?? []).filter((i) => i.system === NID).map((i) => i.value).join(', '),
    phone: (p.telecom ?? []).filter((t) => t.system === 'phone').map((t) => t.value).join(', '),
    address: (p.address ?? []).map(formatAddress).join('; '),
  };
}

export function comparisonRows(left: Patient, right: Patient, fields: FieldAgreement[]): ComparisonRow[] {
  const a = fieldValues(left);
  const b = fieldValues(right);
  const order = ['given', 'family', 'birthDate', 'sex', 'nationalId', 'phone', 'address'];
  return order.map((field) => {
    const f = fields.find((x) => x.field === field);
    return { field, left: a[field], right: b[field], ...(f ? { agreement: agreementOf(f.level, f.weight), weight: f.weight } : {}) };
  });
}

export function patientLabel(p: Patient | undefined): string {
  return p ? displayName(p.name) || p.id || '' : '';
}
