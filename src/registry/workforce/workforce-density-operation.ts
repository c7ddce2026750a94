import type { Operation } from '../../fhir/operations/operation-registry.ts';
import type { OperationDefinition } from '../../fhir/operations/operation-definition.ts';
import { firstString } from '../../fhir/operations/operation-parameters.ts';
import { fhirErrors } from '../../fhir/outcome/errors.ts';
import type { TerminologySource } from '../../terminology/terminology-source.ts';
import { loadCadres, sdgCadreGroups } from './cadre.ts';
import { loadDistrictPopulations } from './district-population.ts';
import { computeDensity, defaultThreshold, loadWorkers, type DensityReport } from './workforce-density.ts';

const definition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  url: 'https://huza.rw/fhir/OperationDefinition/Location-workforce-density',
  name: 'WorkforceDensity',
  status: 'active',
  kind: 'operation',
  code: 'workforce-density',
  description: 'Health workers per 1,000 people by district and cadre group against a threshold, districts furthest below first. '
    + 'Populations are those stated on the district Locations (extension https://huza.rw/fhir/StructureDefinition/district-population), else the 2022 census; each district says which figure it used.',
  system: false, type: true, instance: false,
  resource: ['Location'],
  affectsState: false,
  parameter: [
    { name: 'threshold', use: 'in', min: 0, max: '1', type: 'decimal' },
    { name: 'cadre', use: 'in', min: 0, max: '*', type: 'code' },
    { name: 'threshold', use: 'out', min: 1, max: '1', type: 'decimal' },
    { name: 'cadre', use: 'out', min: 1, max: '*', type: 'code' },
    { name: 'population', use: 'out', min: 1, max: '1', type: 'integer' },
    { name: 'workers', use: 'out', min: 1, max: '1', type: 'decimal' },
    { name: 'density', use: 'out', min: 1, max: '1', type: 'decimal' },
    { name: 'unplaced', use: 'out', min: 1, max: '1', type: 'integer' },
    {
      name: 'district', use: 'out', min: 0, max: '*', part: [
        { name: 'name', use: 'out', min: 1, max: '1', type: 'string' },
        { name: 'population', use: 'out', min: 1, max: '1', type: 'integer' },
        { name: 'populationYear', use: 'out', min: 1, max: '1', type: 'integer' },
        { name: 'populationSource', use: 'out', min: 1, max: '1', type: 'string' },
        { name: 'populationLocation', use: 'out', min: 0, max: '1', type: 'Reference' },
        { name: 'workers', use: 'out', min: 1, max: '1', type: 'decimal' },
        { name: 'density', use: 'out', min: 1, max: '1', type: 'decimal' },
        { name: 'gap', use: 'out', min: 1, max: '1', type: 'decimal' },
        { name: 'below', use: 'out', min: 1, max: '1', type: 'boolean' },
        {
          name: 'group', use: 'out', min: 0, max: '*', part: [
            { name: 'cadre', use: 'out', min: 1, max: '1', type: 'code' },
            { name: 'workers', use: 'out', min: 1, max: '1', type: 'decimal' },
          ],
        },
      ],
    },
  ],
};

export function densityParameters(report: DensityReport) {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'threshold', valueDecimal: report.threshold },
      ...report.countedGroups.map((g) => ({ name: 'cadre', valueCode: g })),
      { name: 'population', valueInteger: report.population },
      { name: 'workers', valueDecimal: report.counted },
      { name: 'density', valueDecimal: report.density },
      { name: 'unplaced', valueInteger: report.unplaced },
      ...report.districts.map((d) => ({
        name: 'district',
        part: [
          { name: 'name', valueString: d.district },
          { name: 'population', valueInteger: d.population },
          { name: 'populationYear', valueInteger: d.populationYear },
          { name: 'populationSource', valueString: d.populationSource },
          ...(d.populationLocation ? [{ name: 'populationLocation', valueReference: { reference: d.populationLocation } }] : []),
          { name: 'workers', valueDecimal: d.counted },
          { name: 'density', valueDecimal: d.density },
          { name: 'gap', valueDecimal: d.gap },
          { name: 'below', valueBoolean: d.below },
          ...report.groups.map((g) => ({ name: 'group', part: [{ name: 'cadre', valueCode: g }, { name: 'workers', valueDecimal: d.byGroup[g] ?? 0 }] })),
        ],
      })),
    ],
  };
}

/**
 * Location/$workforce-density?threshold=4.45&cadre=medical-doctor,nurse,midwife: the planning view of
 * the health worker registry. It reads every current PractitionerRole, so it is a directory read. Cadres
 * come from the terminology service's source.
 */
export const workforceDensity = (source: TerminologySource): Operation => ({
  definition,
  async execute(ctx, call) {
    for (const type of ['PractitionerRole', 'Practitioner', 'Location']) ctx.access?.checkType(type, 's');
    const raw = firstString(call.input, 'threshold');
    const threshold = raw === undefined ? defaultThreshold : Number(raw);
    if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1000) throw fhirErrors.invalidParameter('threshold', 'must be a number of workers per 1,000 people above 0 (WHO: 4.45)');
    const cadres = await loadCadres(ctx.repo, source);
    const asked = (call.input.get('cadre') ?? []).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
    const groupCodes = cadres.groups.map((g) => g.code);
    for (const c of asked) {
      if (!groupCodes.includes(c)) throw fhirErrors.invalidParameter('cadre', `'${c}' is not a cadre group; use one of ${groupCodes.join(', ')}`);
    }
    const workers = await loadWorkers(ctx.repo, cadres);
    const populations = await loadDistrictPopulations(ctx.repo);
    const groups = [...groupCodes, ...(workers.some((w) => w.group === 'uncoded') ? ['uncoded'] : [])];
    const report = computeDensity(workers, { threshold, countedGroups: asked.length > 0 ? asked : sdgCadreGroups, groups, populations });
    return { status: 200, headers: {}, body: JSON.stringify(densityParameters(report)) };
  },
});
