import type { Operation } from '../../../fhir/operations/operation-registry.ts';
import { firstString, type OperationInput } from '../../../fhir/operations/operation-parameters.ts';
import { fhirErrors } from '../../../fhir/outcome/errors.ts';
import { FhirError } from '../../../fhir/outcome/fhir-error.ts';
import type { ClientRegistry } from '../client-registry.ts';
import { defaultModel, validateModel, type MatchModel } from '../matching/index.ts';
import { compareModels, estimateRegistryModel, estimationDefaults, estimationLimits, type EstimationOptions, type ModelEstimate } from '../model-estimation.ts';
import { registryStore } from '../registry-store.ts';
import { def, param, parameters, stewardOf } from './steward-common.ts';

const significant = (x: number) => Number(x.toPrecision(6));
const rounded = (x: number) => Math.round(x * 1000) / 1000;

function integerInput(input: OperationInput, name: keyof typeof estimationLimits & keyof EstimationOptions): number {
  const text = firstString(input, name);
  if (text === undefined) return estimationDefaults[name] as number;
  const [min, max] = estimationLimits[name] as readonly [number, number];
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw fhirErrors.invalidParameter(name, `must be an integer from ${min} to ${max}, got ${text}`);
  return n;
}

function estimationOptions(input: OperationInput): EstimationOptions {
  const start = firstString(input, 'start') ?? estimationDefaults.start;
  if (start !== 'naive' && start !== 'current') throw fhirErrors.invalidParameter('start', `is naive (an uninformed start) or current (the model in force), got ${start}`);
  return {
    sampleSize: integerInput(input, 'sampleSize'),
    maxPairs: integerInput(input, 'maxPairs'),
    randomPairs: integerInput(input, 'randomPairs'),
    maxIterations: integerInput(input, 'maxIterations'),
    seed: integerInput(input, 'seed'),
    start,
  };
}

const refused = (status: number, code: string, diagnostics: string[]) => new FhirError(status, diagnostics.map((d) => ({ severity: 'error' as const, code, diagnostics: d })));

/** Per field, per level: the proposed m, u and weight beside the model in force. */
function fieldParameters(proposed: MatchModel, current: MatchModel): unknown[] {
  return compareModels(proposed, current).map((f) => ({
    name: 'field',
    part: [
      { name: 'name', valueCode: f.field },
      ...f.levels.map((l) => ({
        name: 'level',
        part: [
          { name: 'code', valueCode: l.level },
          { name: 'm', valueDecimal: significant(l.proposed.m) },
          { name: 'u', valueDecimal: significant(l.proposed.u) },
          { name: 'weight', valueDecimal: rounded(l.proposed.weight) },
          { name: 'currentM', valueDecimal: significant(l.current.m) },
          { name: 'currentU', valueDecimal: significant(l.current.u) },
          { name: 'currentWeight', valueDecimal: rounded(l.current.weight) },
        ],
      })),
    ],
  }));
}

/** At most `n` points of a series, first and last kept. */
function thinned(values: number[], n = 50): number[] {
  if (values.length <= n) return values;
  const step = (values.length - 1) / (n - 1);
  return Array.from({ length: n }, (_, i) => values[Math.round(i * step)]);
}

function estimateParameters(e: ModelEstimate, current: { model: MatchModel; version: number }, outcome: { adopted: boolean; version: number; adoptable: boolean }): unknown[] {
  const counts = (c: Record<string, number>) => Object.entries(c).map(([name, n]) => ({ name, valueInteger: n }));
  return [
    { name: 'adopted', valueBoolean: outcome.adopted },
    { name: 'adoptable', valueBoolean: outcome.adoptable },
    { name: 'version', valueInteger: outcome.version },
    { name: 'currentVersion', valueInteger: current.version },
    { name: 'currentModelVersion', valueString: current.model.version },
    ...e.problems.map((p) => ({ name: 'problem', valueString: p })),
    { name: 'sample', part: counts(e.counts) },
    {
      name: 'em',
      part: [
        { name: 'iterations', valueInteger: e.trace.iterations },
        { name: 'converged', valueBoolean: e.trace.converged },
        { name: 'matchProportion', valueDecimal: significant(e.trace.matchProportion) },
        ...(e.trace.logLikelihood.length > 0 ? [{ name: 'logLikelihood', valueDecimal: rounded(e.trace.logLikelihood.at(-1)!) }] : []),
        { name: 'logLikelihoodTrace', valueString: JSON.stringify(thinned(e.trace.logLikelihood).map(rounded)) },
      ],
    },
    {
      name: 'decisions',
      part: [
        { name: 'pairs', valueInteger: e.counts.pairs },
        { name: 'changed', valueInteger: e.decisions.changed },
        { name: 'recordsAffected', valueInteger: e.decisions.recordsAffected },
        { name: 'current', part: counts(e.decisions.current) },
        { name: 'proposed', part: counts(e.decisions.proposed) },
        ...e.decisions.changes.map((c) => ({ name: 'change', part: [{ name: 'from', valueCode: c.from }, { name: 'to', valueCode: c.to }, { name: 'count', valueInteger: c.count }] })),
      ],
    },
    ...fieldParameters(e.model, current.model),
    { name: 'timing', part: counts(e.timings) },
    { name: 'model', valueString: JSON.stringify(e.model) },
  ];
}

/**
 * The match model's steward tools (docs/decisions/0022-registry-model-re-estimation.md):
 * `$cr-estimate-model` learns a model from the registry's own records and previews or adopts it;
 * `$cr-model` reads the model in force, any earlier version and the history, and restores one.
 */
export function modelOperations(registry: ClientRegistry): Operation[] {
  return [
    {
      definition: def('cr-estimate-model', 'Re-estimate the match model (EM) from the stored records: preview it, or adopt it as a new version', true, [
        param('sampleSize', 'integer'), param('maxPairs', 'integer'), param('randomPairs', 'integer'), param('maxIterations', 'integer'),
        param('seed', 'integer'), param('start', 'code'), param('adopt', 'boolean'), param('force', 'boolean'), param('reason', 'string'),
      ]),
      async execute(ctx, call) {
        const by = stewardOf(ctx);
        const options = estimationOptions(call.input);
        const adopt = firstString(call.input, 'adopt') === 'true';
        const force = firstString(call.input, 'force') === 'true';
        const reason = firstString(call.input, 'reason');
        const inForce = await registry.settings(ctx.repo);
        const estimate = await estimateRegistryModel(ctx.repo, inForce, options);
        if (!estimate.trace.converged && !force) {
          throw refused(422, 'processing', [`EM did not converge within ${estimate.trace.iterations} iterations (maxIterations); raise maxIterations, or pass force=true to see and adopt the estimate anyway`]);
        }
        if (adopt && estimate.problems.length > 0 && !force) {
          throw refused(422, 'business-rule', [
            ...estimate.problems.map((p) => `The estimated model fails a guard rail: ${p}`),
            'Not adopted; pass force=true to adopt it anyway (the violations are recorded with the version)',
          ]);
        }
        const current = { model: inForce.model, version: inForce.modelVersion };
        let version = current.version;
        if (adopt) {
          version = await registry.saveModel(ctx.repo, estimate.model, by, {
            kind: 'estimated',
            ...(reason ? { reason } : {}),
            options,
            forced: force && (estimate.problems.length > 0 || !estimate.trace.converged),
            replaced: current.version,
            counts: estimate.counts,
            em: { iterations: estimate.trace.iterations, converged: estimate.trace.converged, matchProportion: estimate.trace.matchProportion, logLikelihood: estimate.trace.logLikelihood.at(-1) ?? null },
            decisions: estimate.decisions,
            problems: estimate.problems,
          });
        }
        const adoptable = estimate.trace.converged && estimate.problems.length === 0;
        return parameters(estimateParameters(estimate, current, { adopted: adopt, version, adoptable }));
      },
    },
    {
      definition: def('cr-model', 'The match model: read the one in force (or version), its history, or (POST restore) put an earlier version back in force', false, [
        param('version', 'integer'), param('restore', 'integer'), param('reason', 'string'), param('_count', 'integer'),
      ]),
      async execute(ctx, call) {
        const by = stewardOf(ctx);
        const asVersion = (name: string) => {
          const text = firstString(call.input, name);
          if (text === undefined) return undefined;
          const n = Number(text);
          if (!Number.isInteger(n) || n < 0) throw fhirErrors.invalidParameter(name, `must be a version number (0 is the built-in model), got ${text}`);
          return n;
        };
        const modelOf = async (version: number, name: string): Promise<MatchModel> => {
          if (version === 0) return defaultModel;
          const model = await registryStore.modelVersion(ctx.repo.sql, version);
          if (!model) throw fhirErrors.invalidParameter(name, `there is no model version ${version}`);
          return model as MatchModel;
        };
        const restore = asVersion('restore');
        if (restore !== undefined) {
          if (call.request.method !== 'POST') throw fhirErrors.methodNotAllowed(call.request.method, 'Patient/$cr-model with restore');
          const model = await modelOf(restore, 'restore');
          if (validateModel(model).length > 0) throw fhirErrors.invalidParameter('restore', `version ${restore} is not a valid model: ${validateModel(model).join('; ')}`);
          const { modelVersion } = await registry.settings(ctx.repo);
          const reason = firstString(call.input, 'reason');
          await registry.saveModel(ctx.repo, model, by, { kind: 'restored', restoredFrom: restore, replaced: modelVersion, ...(reason ? { reason } : {}) });
        }
        const { model, modelVersion } = await registry.settings(ctx.repo);
        const asked = asVersion('version');
        const shown = asked === undefined ? { version: modelVersion, model } : { version: asked, model: await modelOf(asked, 'version') };
        const count = Math.max(1, Math.min(Number(firstString(call.input, '_count') ?? 50), 500));
        const history = await registryStore.modelHistory(ctx.repo.sql, count);
        return parameters([
          { name: 'current', valueInteger: modelVersion },
          { name: 'version', valueInteger: shown.version },
          { name: 'model', valueString: JSON.stringify(shown.model) },
          ...[...history, ...(history.length < count ? [{ version: 0, name: defaultModel.version, created_by: null, created_at: null, basis: { kind: 'built-in' } }] : [])].map((h) => {
            const basis = (h.basis ?? {}) as { kind?: string; reason?: string; forced?: boolean; restoredFrom?: number; counts?: { sampled?: number; pairs?: number }; em?: { converged?: boolean }; decisions?: { changed?: number } };
            return {
              name: 'history',
              part: [
                { name: 'version', valueInteger: h.version },
                ...(h.name ? [{ name: 'name', valueString: h.name }] : []),
                { name: 'kind', valueCode: basis.kind ?? 'stored' },
                ...(h.created_by ? [{ name: 'by', valueString: h.created_by }] : []),
                ...(h.created_at ? [{ name: 'at', valueDateTime: new Date(h.created_at).toISOString() }] : []),
                ...(basis.reason ? [{ name: 'reason', valueString: basis.reason }] : []),
                ...(basis.restoredFrom !== undefined ? [{ name: 'restoredFrom', valueInteger: basis.restoredFrom }] : []),
                ...(basis.counts?.sampled !== undefined ? [{ name: 'records', valueInteger: basis.counts.sampled }] : []),
                ...(basis.counts?.pairs !== undefined ? [{ name: 'pairs', valueInteger: basis.counts.pairs }] : []),
                ...(basis.decisions?.changed !== undefined ? [{ name: 'changed', valueInteger: basis.decisions.changed }] : []),
                ...(basis.forced ? [{ name: 'forced', valueBoolean: true }] : []),
              ],
            };
          }),
        ]);
      },
    },
  ];
}
