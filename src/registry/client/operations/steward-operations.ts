import type { Operation } from '../../../fhir/operations/operation-registry.ts';
import { firstString } from '../../../fhir/operations/operation-parameters.ts';
import { fhirErrors } from '../../../fhir/outcome/errors.ts';
import { FhirError } from '../../../fhir/outcome/fhir-error.ts';
import type { ClientRegistry } from '../client-registry.ts';
import { registryStore } from '../registry-store.ts';
import { modelOperations } from './model-operations.ts';
import { def, param, parameters, required, stewardOf } from './steward-common.ts';

/** The steward's tools: the review queue, link / unlink / merge / not-a-duplicate, the decision rules, the match model and re-matching. */
export function stewardOperations(registry: ClientRegistry): Operation[] {
  return [
    {
      definition: def('cr-reviews', 'Potential duplicates waiting for a steward', false, [param('status', 'code'), param('_count', 'integer'), param('_offset', 'integer')]),
      async execute(ctx, call) {
        stewardOf(ctx);
        const status = firstString(call.input, 'status') ?? 'open';
        if (!['open', 'linked', 'not-duplicate', 'superseded'].includes(status)) throw fhirErrors.invalidParameter('status', 'is one of open, linked, not-duplicate, superseded');
        const count = Math.min(Number(firstString(call.input, '_count') ?? 20), 200);
        const rows = await registryStore.reviews(ctx.repo.sql, status, count, Number(firstString(call.input, '_offset') ?? 0));
        const links = await registryStore.linksOfSources(ctx.repo.sql, rows.flatMap((r) => [r.source_id, r.candidate_id]));
        const goldenOf = new Map(links.map((l) => [l.source_id, l.golden_id]));
        return parameters(rows.map((r) => ({
          name: 'review',
          part: [
            { name: 'id', valueString: r.id },
            { name: 'source', valueReference: { reference: `Patient/${r.source_id}` } },
            { name: 'candidate', valueReference: { reference: `Patient/${r.candidate_id}` } },
            ...(goldenOf.has(r.candidate_id) ? [{ name: 'candidatePerson', valueReference: { reference: `Patient/${goldenOf.get(r.candidate_id)}` } }] : []),
            { name: 'score', valueDecimal: Math.round(r.score * 100) / 100 },
            { name: 'status', valueCode: r.status },
            { name: 'fields', valueString: JSON.stringify(r.fields) },
          ],
        })));
      },
    },
    {
      definition: def('cr-link', 'Put a source record with a person (or, without person, with a new one)', true, [param('source', 'string', 1), param('person', 'string'), param('reason', 'string')]),
      async execute(ctx, call) {
        const by = stewardOf(ctx);
        const source = required(call.input, 'source');
        const person = firstString(call.input, 'person')?.replace(/^Patient\//, '');
        const golden = await registry.relink(ctx.repo, source, person, by, firstString(call.input, 'reason') ?? (person ? 'steward: same person' : 'steward: unlinked'));
        return parameters([{ name: 'person', valueReference: { reference: `Patient/${golden}` } }]);
      },
    },
    {
      definition: def('cr-merge', 'Two golden records are one person', true, [param('from', 'string', 1), param('into', 'string', 1)]),
      async execute(ctx, call) {
        const by = stewardOf(ctx);
        const into = required(call.input, 'into');
        await registry.mergeGoldens(ctx.repo, required(call.input, 'from'), into, by);
        return parameters([{ name: 'person', valueReference: { reference: `Patient/${into}` } }]);
      },
    },
    {
      definition: def('cr-not-duplicate', 'Two source records are different people', true, [param('a', 'string', 1), param('b', 'string', 1)]),
      async execute(ctx, call) {
        const by = stewardOf(ctx);
        await registry.notDuplicate(ctx.repo, required(call.input, 'a'), required(call.input, 'b'), by);
        return parameters([{ name: 'result', valueCode: 'not-duplicate' }]);
      },
    },
    {
      definition: def('cr-history', "The registry's decisions about one source record", false, [param('source', 'string', 1)]),
      async execute(ctx, call) {
        stewardOf(ctx);
        const rows = await registryStore.history(ctx.repo.sql, [required(call.input, 'source')]);
        return parameters(rows.map((r) => ({
          name: 'decision',
          part: [
            { name: 'at', valueDateTime: new Date(r.decided_at).toISOString() },
            ...(r.golden_id ? [{ name: 'person', valueReference: { reference: `Patient/${r.golden_id}` } }] : []),
            ...(r.previous_golden_id ? [{ name: 'previousPerson', valueReference: { reference: `Patient/${r.previous_golden_id}` } }] : []),
            { name: 'method', valueCode: r.method },
            ...(r.score !== null ? [{ name: 'score', valueDecimal: Math.round(r.score * 100) / 100 }] : []),
            ...(r.decided_by ? [{ name: 'by', valueString: r.decided_by }] : []),
            ...(r.reason ? [{ name: 'reason', valueString: r.reason }] : []),
          ],
        })));
      },
    },
    {
      definition: def('cr-rules', 'Read (GET) or replace (POST rules) the decision rules; each change is a new version', false, [param('rules', 'string')]),
      async execute(ctx, call) {
        const by = stewardOf(ctx);
        const text = firstString(call.input, 'rules');
        if (text !== undefined) {
          if (call.request.method !== 'POST') throw fhirErrors.methodNotAllowed(call.request.method, 'Patient/$cr-rules with rules');
          let json: unknown;
          try { json = JSON.parse(text); } catch (e) { throw fhirErrors.invalidParameter('rules', `is not JSON: ${(e as Error).message}`); }
          try { await registry.saveRules(ctx.repo, json, by); } catch (e) {
            if (e instanceof FhirError) throw e;
            throw fhirErrors.invalidParameter('rules', (e as Error).message);
          }
        }
        const { rules, rulesVersion } = await registry.settings(ctx.repo);
        return parameters([{ name: 'version', valueInteger: rulesVersion }, { name: 'rules', valueString: JSON.stringify(rules) }]);
      },
    },
    {
      definition: def('cr-rematch', 'Re-decide automatically linked records under the rules and match model in force', true, []),
      async execute(ctx) {
        const by = stewardOf(ctx);
        const { records, changed } = await registry.rematchAll(ctx.repo, by);
        return parameters([{ name: 'records', valueInteger: records }, { name: 'changed', valueInteger: changed }]);
      },
    },
    ...modelOperations(registry),
  ];
}
