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

interface ParametersPart { name: string; valueString?: string; valueDecimal?: number; valueCode?: string; valueReference?: { reference?: string }; valueInteger?: number; valueBoolean?: boolean; valueDateTime?: string; part?: ParametersPart[] }
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

// ---- the match model (Patient/$cr-estimate-model and Patient/$cr-model) ----

export type DecisionKind = 'link' | 'review' | 'new';

/** One agreement level of a field: the proposed m, u and weight (log2 m/u) beside the model in force. */
export interface LevelWeights {
  level: string;
  m: number;
  u: number;
  weight: number;
  currentM: number;
  currentU: number;
  currentWeight: number;
}

export interface FieldWeights {
  field: string;
  levels: LevelWeights[];
}

/** What re-estimating the match model from the registry's records gave (a preview, or the model just adopted). */
export interface ModelEstimate {
  adopted: boolean;
  /** EM converged and the model passed every guard rail. */
  adoptable: boolean;
  /** The version in force after the call (the new one when adopted). */
  version: number;
  currentVersion: number;
  problems: string[];
  sample: Record<string, number>;
  em: { iterations: number; converged: boolean; matchProportion: number };
  decisions: {
    pairs: number;
    changed: number;
    recordsAffected: number;
    current: Record<DecisionKind, number>;
    proposed: Record<DecisionKind, number>;
    changes: { from: DecisionKind; to: DecisionKind; count: number }[];
  };
  fields: FieldWeights[];
}

const num = (p: ParametersPart | undefined) => p?.valueInteger ?? p?.valueDecimal ?? 0;
const numbers = (p: ParametersPart | undefined): Record<string, number> => Object.fromEntries((p?.part ?? []).map((x) => [x.name, num(x)]));
function decisionCounts(p: ParametersPart | undefined): Record<DecisionKind, number> {
  const n = numbers(p);
  return { link: n.link ?? 0, review: n.review ?? 0, new: n.new ?? 0 };
}

export function modelEstimateFrom(parameters: Parameters): ModelEstimate {
  const top = parameters.parameter ?? [];
  const one = (name: string) => top.find((p) => p.name === name);
  const em = one('em') ?? { name: 'em' };
  const decisions = one('decisions') ?? { name: 'decisions' };
  return {
    adopted: one('adopted')?.valueBoolean === true,
    adoptable: one('adoptable')?.valueBoolean === true,
    version: num(one('version')),
    currentVersion: num(one('currentVersion')),
    problems: top.filter((p) => p.name === 'problem').map((p) => p.valueString ?? ''),
    sample: numbers(one('sample')),
    em: { iterations: num(part(em, 'iterations')), converged: part(em, 'converged')?.valueBoolean === true, matchProportion: num(part(em, 'matchProportion')) },
    decisions: {
      pairs: num(part(decisions, 'pairs')),
      changed: num(part(decisions, 'changed')),
      recordsAffected: num(part(decisions, 'recordsAffected')),
      current: decisionCounts(part(decisions, 'current')),
      proposed: decisionCounts(part(decisions, 'proposed')),
      changes: (decisions.part ?? []).filter((c) => c.name === 'change').map((c) => ({
        from: part(c, 'from')?.valueCode as DecisionKind, to: part(c, 'to')?.valueCode as DecisionKind, count: num(part(c, 'count')),
      })),
    },
    fields: top.filter((p) => p.name === 'field').map((f) => ({
      field: part(f, 'name')?.valueCode ?? '',
      levels: (f.part ?? []).filter((l) => l.name === 'level').map((l) => ({
        level: part(l, 'code')?.valueCode ?? '',
        m: num(part(l, 'm')), u: num(part(l, 'u')), weight: num(part(l, 'weight')),
        currentM: num(part(l, 'currentM')), currentU: num(part(l, 'currentU')), currentWeight: num(part(l, 'currentWeight')),
      })),
    })),
  };
}

/** One version of the match model, as $cr-model lists them (newest first; version 0 is the built-in model). */
export interface ModelVersion {
  version: number;
  name?: string;
  kind: string;
  by?: string;
  at?: string;
  reason?: string;
  restoredFrom?: number;
  records?: number;
  pairs?: number;
  changed?: number;
  forced: boolean;
}

export function modelHistoryFrom(parameters: Parameters): { current: number; versions: ModelVersion[] } {
  const top = parameters.parameter ?? [];
  const opt = (p: ParametersPart, name: string) => (part(p, name) ? num(part(p, name)) : undefined);
  return {
    current: num(top.find((p) => p.name === 'current')),
    versions: top.filter((p) => p.name === 'history').map((h) => ({
      version: num(part(h, 'version')),
      name: part(h, 'name')?.valueString,
      kind: part(h, 'kind')?.valueCode ?? 'stored',
      by: part(h, 'by')?.valueString,
      at: part(h, 'at')?.valueDateTime,
      reason: part(h, 'reason')?.valueString,
      restoredFrom: opt(h, 'restoredFrom'),
      records: opt(h, 'records'),
      pairs: opt(h, 'pairs'),
      changed: opt(h, 'changed'),
      forced: part(h, 'forced')?.valueBoolean === true,
    })),
  };
}

/** The bars of one field's chart: each level's weight in force and proposed. */
export function weightChartData(field: FieldWeights): { level: string; current: number; proposed: number }[] {
  return field.levels.map((l) => ({ level: l.level, current: l.currentWeight, proposed: l.weight }));
}

/** The largest change of weight of a field, for saying where the new model differs most. */
export function largestShift(fields: FieldWeights[]): { field: string; level: string; from: number; to: number } | undefined {
  let best: { field: string; level: string; from: number; to: number } | undefined;
  for (const f of fields) {
    for (const l of f.levels) {
      if (!best || Math.abs(l.weight - l.currentWeight) > Math.abs(best.to - best.from)) best = { field: f.field, level: l.level, from: l.currentWeight, to: l.weight };
    }
  }
  return best;
}

/** Records a re-estimate may sample (the server's limits). */
export const sampleSizeRange = { min: 500, max: 200_000, default: 5000 } as const;

/** The sample size a steward typed, if it is one the registry accepts. */
export function parseSampleSize(input: string | number): number | undefined {
  const n = typeof input === 'number' ? input : Number(String(input).replace(/[\s,]/g, ''));
  return Number.isInteger(n) && n >= sampleSizeRange.min && n <= sampleSizeRange.max ? n : undefined;
}

/** The Parameters of a $cr-estimate-model call: preview, or adopt (with the steward's reason). */
export function estimateRequest(options: { sampleSize: number; adopt?: boolean; reason?: string }): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'sampleSize', valueInteger: options.sampleSize },
      ...(options.adopt ? [{ name: 'adopt', valueBoolean: true }] : []),
      ...(options.adopt && options.reason?.trim() ? [{ name: 'reason', valueString: options.reason.trim() }] : []),
    ],
  };
}
