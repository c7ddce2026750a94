import { CATALOGUE, EML_CLASSES, FORMS, type CatalogueItem } from './catalogue-data.ts';
import { demoGtin, gtinSystem } from './gtin.ts';

type Json = Record<string, unknown>;

export const essentialMedicinesSystem = 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines';
export const emlClassSystem = 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines-class';
export const classificationTypeSystem = 'https://moh.gov.rw/fhir/CodeSystem/medicine-classification-type';
export const atcSystem = 'http://www.whocc.no/atc';
const cvxSystem = 'http://hl7.org/fhir/sid/cvx';
const ucum = 'http://unitsofmeasure.org';
const v3Form = 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm';
const demoTag = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HTEST', display: 'test health data' };
const catalogueDate = '2026-12-01';

/** The demo catalogue's GS1 company number under the demonstration prefix. */
const demoCompany = 1;

/** UCUM for a counted unit: annotations for things UCUM has no unit for ("{tablet}"). */
function ucumOf(unit: string): string {
  return ['mL', 'g', 'mg', 'ug', '[iU]', 'mm2'].includes(unit) ? unit : `{${unit}}`;
}

function quantity(value: number, unit: string) {
  const code = ucumOf(unit);
  return { value, unit: code.replace(/^\{|\}$/g, ''), system: ucum, code };
}

export const medicationId = (item: CatalogueItem) => `rw-med-${item.code.toLowerCase()}`;
export const knowledgeId = (item: CatalogueItem) => `rw-medk-${item.code.toLowerCase()}`;
/** Item numbers follow the table, so a GTIN stays with its product as long as lines are only appended. */
export const gtinOf = (item: CatalogueItem) => demoGtin(demoCompany, CATALOGUE.indexOf(item) + 1);

function code(item: CatalogueItem) {
  return {
    coding: [
      { system: essentialMedicinesSystem, code: item.code, display: item.name },
      { system: gtinSystem, code: gtinOf(item) },
      ...(item.cvx ? [{ system: cvxSystem, code: item.cvx }] : []),
    ],
    text: item.name,
  };
}

function form(item: CatalogueItem) {
  const f = FORMS[item.form];
  return 'v3' in f ? { coding: [{ system: v3Form, code: f.v3[0], display: f.v3[1] }], text: f.text } : { text: f.text };
}

function ingredients(item: CatalogueItem) {
  const unit = FORMS[item.form].unit;
  return item.ingredients.map(([substance, amount, amountUnit, per = 1, perUnit = unit]) => ({
    itemCodeableConcept: { text: substance },
    isActive: true,
    strength: { numerator: quantity(amount, amountUnit), denominator: quantity(per, perUnit) },
  }));
}

/** A class with its ancestors, broadest first, so that `classification=anti-infectives` finds every antibacterial. */
function classPath(code: string) {
  const path: Json[] = [];
  for (let c = EML_CLASSES.find((x) => x.code === code); c; c = c.parent ? EML_CLASSES.find((x) => x.code === c!.parent) : undefined) {
    path.unshift({ coding: [{ system: emlClassSystem, code: c.code, display: c.display }] });
  }
  if (path.length === 0) throw new Error(`unknown EML class ${code}`);
  return path;
}

function productType(item: CatalogueItem): string {
  return item.form === 'vaccine' ? 'Vaccine' : item.form === 'device' ? 'Medical device' : 'Medicine';
}

export function medication(item: CatalogueItem): Json {
  const f = FORMS[item.form];
  return {
    resourceType: 'Medication', id: medicationId(item), meta: { tag: [demoTag] },
    code: code(item), status: 'active', form: form(item),
    amount: { numerator: quantity(item.pack[0], f.unit), denominator: { value: 1, unit: item.pack[1] } },
    ...(item.ingredients.length > 0 ? { ingredient: ingredients(item) } : {}),
  };
}

export function medicationKnowledge(item: CatalogueItem): Json {
  const f = FORMS[item.form];
  return {
    resourceType: 'MedicationKnowledge', id: knowledgeId(item), meta: { tag: [demoTag] },
    code: code(item), status: 'active',
    associatedMedication: [{ reference: `Medication/${medicationId(item)}`, display: item.name }],
    productType: [{ text: productType(item) }],
    doseForm: form(item),
    amount: quantity(item.pack[0], f.unit),
    ...(item.ingredients.length > 0 ? { ingredient: ingredients(item) } : {}),
    packaging: { type: { text: item.pack[1] }, quantity: quantity(item.pack[0], f.unit) },
    medicineClassification: [
      { type: { coding: [{ system: classificationTypeSystem, code: 'eml-class', display: 'Essential medicines list class' }] }, classification: classPath(item.eml) },
      ...(item.atc ? [{ type: { coding: [{ system: classificationTypeSystem, code: 'atc', display: 'WHO ATC code' }] }, classification: [{ coding: [{ system: atcSystem, code: item.atc }] }] }] : []),
    ],
  };
}

/** The local medicine codes: the catalogue's, so prescriptions and stock speak of the same products. */
export function essentialMedicinesCodeSystem(date = catalogueDate): Json {
  return {
    resourceType: 'CodeSystem', id: 'rw-essential-medicines', url: essentialMedicinesSystem, version: 'demo',
    name: 'RwandaEssentialMedicinesDemo', title: 'Rwanda essential medicines (demo subset)', status: 'draft', experimental: true, date,
    publisher: 'Huza demo data',
    description: 'A demo subset of medicines and health commodities, coded locally. Not the official Rwanda National Essential Medicines List.',
    caseSensitive: true, content: 'fragment', count: CATALOGUE.length,
    concept: CATALOGUE.map((m) => ({ code: m.code, display: m.name })),
  };
}

function emlClassCodeSystem(): Json {
  const nest = (parent: string | undefined): Json[] => EML_CLASSES.filter((c) => c.parent === parent)
    .map((c) => ({ code: c.code, display: c.display, ...(nest(c.code).length > 0 ? { concept: nest(c.code) } : {}) }));
  return {
    resourceType: 'CodeSystem', id: 'rw-essential-medicines-class', url: emlClassSystem, version: 'demo',
    name: 'RwandaEssentialMedicinesClass', title: 'Essential medicines list: sections and therapeutic classes', status: 'draft', experimental: true,
    date: catalogueDate, publisher: 'Huza demo data',
    description: 'Sections and therapeutic classes of the essential medicines list, following the grouping of the WHO Model List; the codes are Huza\'s, not the official section numbers.',
    caseSensitive: true, hierarchyMeaning: 'is-a', content: 'complete', count: EML_CLASSES.length, concept: nest(undefined),
  };
}

function classificationTypeCodeSystem(): Json {
  return {
    resourceType: 'CodeSystem', id: 'rw-medicine-classification-type', url: classificationTypeSystem, version: 'demo',
    name: 'MedicineClassificationType', title: 'Kinds of medicine classification', status: 'draft', experimental: true, date: catalogueDate,
    publisher: 'Huza demo data', caseSensitive: true, content: 'complete', count: 2,
    concept: [{ code: 'eml-class', display: 'Essential medicines list class' }, { code: 'atc', display: 'WHO ATC code' }],
  };
}

/**
 * Every resource of the demo catalogue: its code systems, then a Medication and a MedicationKnowledge
 * per item. The demo seed already writes the medicine code system (with its own date), hence the option.
 */
export function productCatalogueResources(options: { medicineCodeSystem?: boolean } = {}): Json[] {
  return [
    ...(options.medicineCodeSystem === false ? [] : [essentialMedicinesCodeSystem()]), emlClassCodeSystem(), classificationTypeCodeSystem(),
    ...CATALOGUE.flatMap((item) => [medication(item), medicationKnowledge(item)]),
  ];
}

/** The catalogue as one transaction of PUTs: loading it twice changes nothing. */
export function productCatalogueBundle(): Json {
  return {
    resourceType: 'Bundle', id: 'demo-products', type: 'transaction',
    entry: productCatalogueResources().map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${String(resource.resourceType)}/${String(resource.id)}` },
    })),
  };
}
