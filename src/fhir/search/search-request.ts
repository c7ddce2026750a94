import type { SearchParam } from '../definitions/search-parameters.ts';

/** A condition on one search parameter; its values are alternatives (OR). */
export interface ParamFilter {
  kind: 'param';
  name: string;
  param: SearchParam;
  modifier?: string;
  values: string[];
}

/** `subject:Patient.name=x`: a reference whose target satisfies the inner filter. */
export interface ChainFilter {
  kind: 'chain';
  name: string;
  param: SearchParam;
  targets: { type: string; inner: Filter }[];
}

/** `_has:Observation:patient:code=x`: some resource of another type refers here and satisfies the inner filter. */
export interface HasFilter {
  kind: 'has';
  name: string;
  sourceType: string;
  referenceParam: SearchParam;
  inner: Filter;
}

export type Filter = ParamFilter | ChainFilter | HasFilter;

export interface IncludeSpec {
  sourceType: string;
  /** undefined for `*`: every reference parameter. */
  param?: string;
  targetType?: string;
  iterate: boolean;
}

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';

export interface SearchRequest {
  resourceType: string;
  /** All must hold (AND). */
  filters: Filter[];
  sort: { name: string; param: SearchParam; descending: boolean }[];
  count: number;
  offset: number;
  total?: 'none' | 'estimate' | 'accurate';
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  summary?: SummaryMode;
  elements?: string[];
  /** Set on follow-up pages: the frozen result list to read from. */
  snapshot?: string;
  /** The parameters that shape output but not the match, kept for paging links. */
  passThrough: [string, string][];
  /** Confines results to one compartment (a patient-bound token sees only that patient's data). */
  compartment?: { type: 'Patient'; id: string };
}

export const defaultPageSize = 20;
export const maxPageSize = 1000;
export const maxChainDepth = 3;
