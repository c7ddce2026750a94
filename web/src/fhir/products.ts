import type { CodeableConcept, Coding, Resource } from './types.ts';

export const essentialMedicinesSystem = 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines';
export const emlClassSystem = 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines-class';
export const gtinSystem = 'https://www.gs1.org/gtin';
export const atcSystem = 'http://www.whocc.no/atc';

interface Quantity { value?: number; unit?: string; code?: string }
export interface MedicationKnowledge extends Resource {
  resourceType: 'MedicationKnowledge';
  code?: CodeableConcept;
  status?: string;
  doseForm?: CodeableConcept;
  productType?: CodeableConcept[];
  packaging?: { type?: CodeableConcept; quantity?: Quantity };
  medicineClassification?: { type?: CodeableConcept; classification?: CodeableConcept[] }[];
}

export interface CodeSystemConcept { code: string; display?: string; concept?: CodeSystemConcept[] }
export interface CodeSystem extends Resource { resourceType: 'CodeSystem'; url?: string; concept?: CodeSystemConcept[] }

export interface ProductSearch { text?: string; eml?: string }

/**
 * One search field for what people type: digits are a GTIN (scanned or typed), an "EM-" code is a
 * local code, anything else the start of the name.
 */
export function productQuery(search: ProductSearch, count = 25): string {
  const params = new URLSearchParams();
  const text = search.text?.trim() ?? '';
  if (/^\d{8,14}$/.test(text)) params.set('code', `${gtinSystem}|${text.padStart(14, '0')}`);
  else if (/^EM-/i.test(text)) params.set('code', `${essentialMedicinesSystem}|${text.toUpperCase()}`);
  else if (text) params.set('code:text', text);
  if (search.eml) params.set('classification', `${emlClassSystem}|${search.eml}`);
  params.set('_count', String(count));
  return `MedicationKnowledge?${params}`;
}

const codeOf = (concept: CodeableConcept | undefined, system: string): Coding | undefined => concept?.coding?.find((c) => c.system === system);

export interface ProductRow {
  id?: string;
  name: string;
  localCode?: string;
  gtin?: string;
  form?: string;
  pack?: string;
  /** The most specific EML class (the last of the path the catalogue lists). */
  emlClass?: string;
  atc?: string;
}

export function productRow(mk: MedicationKnowledge): ProductRow {
  const eml = mk.medicineClassification?.find((c) => c.classification?.some((cc) => codeOf(cc, emlClassSystem)))?.classification ?? [];
  const atc = mk.medicineClassification?.flatMap((c) => c.classification ?? []).map((cc) => codeOf(cc, atcSystem)?.code).find(Boolean);
  const q = mk.packaging?.quantity;
  const pack = q?.value !== undefined ? [mk.packaging?.type?.text, `${q.value} ${q.unit ?? ''}`.trim()].filter(Boolean).join(' · ') : mk.packaging?.type?.text;
  const last = eml.at(-1);
  return {
    id: mk.id,
    name: mk.code?.text ?? codeOf(mk.code, essentialMedicinesSystem)?.display ?? mk.id ?? '',
    localCode: codeOf(mk.code, essentialMedicinesSystem)?.code,
    gtin: codeOf(mk.code, gtinSystem)?.code,
    form: mk.doseForm?.text ?? mk.doseForm?.coding?.[0]?.display,
    pack,
    emlClass: last ? (codeOf(last, emlClassSystem)?.display ?? last.text) : undefined,
    atc,
  };
}

/** The class hierarchy as options, children indented under their section. */
export function classOptions(cs: CodeSystem | undefined): { value: string; label: string }[] {
  const out: { value: string; label: string }[] = [];
  const walk = (concepts: CodeSystemConcept[], depth: number) => {
    for (const c of concepts) {
      out.push({ value: c.code, label: `${'\u2003'.repeat(depth)}${c.display ?? c.code}` });
      walk(c.concept ?? [], depth + 1);
    }
  };
  walk(cs?.concept ?? [], 0);
  return out;
}
