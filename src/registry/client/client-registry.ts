import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { newResourceId } from '../../fhir/repository/new-resource-id.ts';
import type { FhirRepository, WriteHook } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource, StoredVersion } from '../../fhir/repository/resource-types.ts';
import { currentWriteSource } from '../../fhir/repository/write-source.ts';
import { buildGoldenRecord, goldenSource, isGoldenRecord, newRegistryId } from './golden-record.ts';
import { IdentifierAuthorities, REGISTRY_ID_SYSTEM } from './identifier-authorities.ts';
import {
  blockingKeys, defaultDecisionRules, defaultModel, parseDecisionRules, personFromPatient, validateModel,
  type DecisionRules, type MatchModel, type PersonRecord,
} from './matching/index.ts';
import {
  choosePlacement, matchByIdentifiers, maxCandidates, rankCandidates, reviewFields, type IdentifierHolder, type IdentifierMatch, type PlacedSource, type ScoredCandidate,
} from './placement.ts';
import { BulkLoader, type BulkLoadOptions, type BulkLoadReport } from './bulk-load.ts';
import { registryErrors } from './registry-errors.ts';
import { registryStore } from './registry-store.ts';

export type { ScoredCandidate } from './placement.ts';

/** Who a decision is recorded as made by: the writing system, or Huza itself for trusted in-process writes. */
const writer = () => currentWriteSource() ?? 'huza';

interface Identifier { system?: string; value?: string; use?: string }
type PatientJson = FhirResource & { identifier?: Identifier[]; name?: { family?: string; given?: string[]; text?: string }[]; birthDate?: string; link?: { other?: { reference?: string; identifier?: Identifier }; type?: string }[]; active?: boolean };

/**
 * The master patient index: every Patient written (by REST, PIXm, PMIR or a transaction) is a source
 * record; the registry checks its identifiers against the identity domains, finds the person it
 * belongs to (identifiers first, then probabilistic matching over blocking keys) and keeps one
 * golden Patient per person, all inside the write's transaction.
 */
export class ClientRegistry {
  readonly authorities = new IdentifierAuthorities();
  /** Set while the registry itself writes golden records, which sources may not. */
  private readonly internal = new AsyncLocalStorage<true>();
  private config: { rules: DecisionRules; rulesVersion: number; model: MatchModel; modelVersion: number } | undefined;
  private checkedAt = 0;
  /** How long the cached rules and model are trusted before checking for newer versions stored by another node. */
  static settingsRecheckMs = 10_000;

  readonly hook: WriteHook = {
    types: ['Patient', 'NamingSystem'],
    beforeWrite: async (repo, resource, previous) => {
      if (resource.resourceType !== 'Patient' || this.internal.getStore()) return;
      if (isGoldenRecord(resource) || (previous && isGoldenRecord(previous))) throw registryErrors.goldenIsRegistryOwned();
      await this.checkSourceRecord(repo, resource as PatientJson);
      return this.resolveMergeLink(repo, resource as PatientJson);
    },
    afterWrite: async (repo, version) => {
      if (version.resourceType === 'NamingSystem') return this.authorities.invalidate();
      if (this.internal.getStore()) return;
      if (version.deleted) return this.unlinkDeleted(repo, version.id);
      await this.placeSourceRecord(repo, version);
    },
  };

  /**
   * The decision rules and match model in force (the newest versions stored, else the defaults;
   * version 0 is the built-in). Cached; a change made here clears the cache at once, one made
   * through another app node is seen within `settingsRecheckMs` (one small query).
   */
  async settings(repo: FhirRepository): Promise<{ rules: DecisionRules; rulesVersion: number; model: MatchModel; modelVersion: number }> {
    if (this.config && Date.now() - this.checkedAt > ClientRegistry.settingsRecheckMs) {
      this.checkedAt = Date.now();
      const stored = await registryStore.latestVersions(repo.sql);
      if (stored.rules !== this.config.rulesVersion || stored.model !== this.config.modelVersion) this.config = undefined;
    }
    if (!this.config) {
      this.checkedAt = Date.now();
      const rules = await registryStore.latestJson(repo.sql, 'cr_rules');
      const model = await registryStore.latestJson(repo.sql, 'cr_model');
      this.config = {
        rules: rules ? parseDecisionRules(rules.value) : defaultDecisionRules,
        rulesVersion: rules?.version ?? 0,
        model: (model?.value as MatchModel | undefined) ?? defaultModel,
        modelVersion: model?.version ?? 0,
      };
    }
    return this.config;
  }

  async saveRules(repo: FhirRepository, json: unknown, by: string): Promise<number> {
    const rules = parseDecisionRules(json);
    const version = await registryStore.saveJson(repo.sql, 'cr_rules', rules, by);
    this.config = undefined;
    return version;
  }

  /**
   * Puts a match model in force (a new cr_model version, recorded as adopted by `by` on `basis`):
   * writes and $match use it from now on, and $cr-rematch re-decides stored records with it.
   */
  async saveModel(repo: FhirRepository, model: MatchModel, by: string, basis?: unknown): Promise<number> {
    const problems = validateModel(model);
    if (problems.length > 0) throw new Error(`invalid match model: ${problems.join('; ')}`);
    const version = await registryStore.saveJson(repo.sql, 'cr_model', model, by, basis);
    this.config = undefined;
    return version;
  }

  /** Identity-domain checks of a source record (names, birth date, identifiers); throws the registry's error. */
  async checkSourceRecord(repo: FhirRepository, resource: FhirResource): Promise<void> {
    const patient = resource as PatientJson;
    for (const name of patient.name ?? []) {
      if (!name.family?.trim() && !(name.given ?? []).some((g) => g?.trim()) && !name.text?.trim()) throw registryErrors.emptyName();
    }
    if (patient.birthDate && patient.birthDate > new Date().toISOString().slice(0, patient.birthDate.length)) throw registryErrors.futureBirthDate(patient.birthDate);
    const source = writer();
    for (const [i, id] of (patient.identifier ?? []).entries()) {
      const at = `Patient.identifier[${i}]`;
      if (!id.system) throw registryErrors.noSystem(at);
      const authority = await this.authorities.find(repo, id.system);
      if (!authority) throw registryErrors.unknownAuthority(id.system, `${at}.system`);
      if (id.value === undefined) continue;
      const why = authority.validate?.(id.value);
      if (why) throw registryErrors.invalidValue(id.system, id.value, why, `${at}.value`);
      // A source may quote an identifier another domain assigned (it is already known), but may not invent one there.
      if (authority.assigners && !authority.assigners.includes(source)) {
        const known = await registryStore.holdersOf(repo.sql, id.system, id.value, patient.id ?? '');
        if (known.length === 0) throw registryErrors.notAssigner(id.system, source, at);
      }
    }
  }

  /** A merge names its survivor by identifier (PMIR); the stored record points at it by reference too. */
  private async resolveMergeLink(repo: FhirRepository, patient: PatientJson): Promise<FhirResource | undefined> {
    const links = patient.link ?? [];
    const i = links.findIndex((l) => l.type === 'replaced-by' && !l.other?.reference && l.other?.identifier);
    if (i < 0 || patient.active !== false) return undefined;
    const survivor = await this.resolveLinkTarget(repo, links[i].other!);
    const link = links.map((l, j) => (j === i ? { ...l, other: { ...l.other, reference: `Patient/${survivor}` } } : l));
    return { ...patient, link } as FhirResource;
  }

  /** Links a stored source record to its person, creating, merging or refusing as the rules say. */
  private async placeSourceRecord(repo: FhirRepository, version: StoredVersion, by = writer()): Promise<void> {
    const patient = JSON.parse(version.json as string) as PatientJson;
    const person = personFromPatient(patient);
    const { rules, rulesVersion, model } = await this.settings(repo);
    await registryStore.setBlockingKeys(repo.sql, patient.id as string, blockingKeys(person));
    const before = await registryStore.linkOf(repo.sql, patient.id as string);
    const touched = new Set<string>(before ? [before.golden_id] : []);

    const replacedBy = (patient.link ?? []).find((l) => l.type === 'replaced-by');
    if (replacedBy && patient.active === false) {
      const survivor = await this.resolveLinkTarget(repo, replacedBy.other ?? {});
      const survivorLink = await this.ensureLinked(repo, survivor, by);
      await this.mergeInto(repo, patient, survivor, by);
      await registryStore.setLink(repo.sql, { source_id: patient.id as string, golden_id: survivorLink, method: 'merge', score: null, decidedBy: by, reason: 'source reported a merge (link replaced-by)' });
      if (before && before.golden_id !== survivorLink) await this.absorbGolden(repo, before.golden_id, survivorLink, by);
      touched.add(survivorLink);
      await this.rebuild(repo, touched);
      return;
    }

    // A steward's decision stands until a steward changes it.
    if (before?.method === 'steward') return this.rebuild(repo, touched);

    const byIdentifier = await this.matchByIdentifiers(repo, patient, person, model, rules);
    const scored = byIdentifier.kind === 'none' ? await this.scoreCandidates(repo, person, patient.id as string, model, rules) : [];
    const placement = choosePlacement(byIdentifier, scored, before);
    const goldenId = placement.goldenId ?? `cr-${newResourceId()}`;
    await registryStore.setLink(repo.sql, { source_id: patient.id as string, golden_id: goldenId, method: placement.method, score: placement.score, rulesVersion, decidedBy: by });
    for (const r of placement.reviews) await registryStore.openReview(repo.sql, patient.id as string, r.sourceId, r.comparison.score, reviewFields(r), rulesVersion);
    touched.add(goldenId);
    await this.rebuild(repo, touched);
  }

  /** The identifier step of matching (placement.ts) over this record's holders in the search index; a conflict is refused. */
  private async matchByIdentifiers(repo: FhirRepository, patient: PatientJson, person: PersonRecord, model: MatchModel, rules: DecisionRules): Promise<IdentifierMatch> {
    const held: { index: number; sourceId: string }[] = [];
    for (const [i, id] of (patient.identifier ?? []).entries()) {
      if (!id.system || !id.value || id.system === REGISTRY_ID_SYSTEM) continue;
      const authority = await this.authorities.find(repo, id.system);
      if (!authority?.personUnique) continue;
      for (const h of await registryStore.holdersOf(repo.sql, id.system, id.value, patient.id as string)) held.push({ index: i, sourceId: h });
    }
    const placed = await this.placedSources(repo, [...new Set(held.map((h) => h.sourceId))]);
    const holders: IdentifierHolder[] = held.filter((h) => placed.has(h.sourceId)).map((h) => ({ index: h.index, source: placed.get(h.sourceId)! }));
    const match = matchByIdentifiers(person, holders, model, rules);
    if (match.kind === 'conflict') {
      const id = patient.identifier![match.index];
      throw registryErrors.identifierConflict(id.system!, id.value!, `Patient/${match.goldenId}`, `Patient.identifier[${match.index}]`);
    }
    return match;
  }

  /** Linked source records with their persons (records without a link are not placed yet and are left out). */
  private async placedSources(repo: FhirRepository, ids: string[]): Promise<Map<string, PlacedSource>> {
    const links = await registryStore.linksOfSources(repo.sql, ids);
    if (links.length === 0) return new Map();
    const goldenOf = new Map(links.map((l) => [l.source_id, l.golden_id]));
    const out = new Map<string, PlacedSource>();
    for (const v of await repo.readMany(links.map((l) => ({ type: 'Patient', id: l.source_id })))) {
      out.set(v.id, { sourceId: v.id, goldenId: goldenOf.get(v.id)!, person: personFromPatient(JSON.parse(v.json as string)) });
    }
    return out;
  }

  /** Scores the records sharing a blocking key with `person`, best first, one per golden record. */
  async scoreCandidates(repo: FhirRepository, person: PersonRecord, selfId: string, model: MatchModel, rules: DecisionRules): Promise<ScoredCandidate[]> {
    const ids = await registryStore.candidates(repo.sql, blockingKeys(person), selfId, maxCandidates);
    const placed = await this.placedSources(repo, ids);
    const selfGolden = selfId === '' ? undefined : (await registryStore.linkOf(repo.sql, selfId))?.golden_id;
    const apart = selfId === '' ? new Set<string>() : await registryStore.notDuplicatesOf(repo.sql, [selfId]);
    const inOrder = ids.map((id) => placed.get(id)).filter((c): c is PlacedSource => c !== undefined);
    return rankCandidates(person, inOrder, model, rules, (c) => c.goldenId === selfGolden || apart.has(`${selfId}\u0000${c.sourceId}`));
  }

  /** A record stored before the registry was installed (or by a trusted loader) gets its person now. */
  private async ensureLinked(repo: FhirRepository, sourceId: string, by: string): Promise<string> {
    const link = await registryStore.linkOf(repo.sql, sourceId);
    if (link) return link.golden_id;
    const goldenId = `cr-${newResourceId()}`;
    await registryStore.setLink(repo.sql, { source_id: sourceId, golden_id: goldenId, method: 'new', score: null, decidedBy: by });
    return goldenId;
  }

  private async resolveLinkTarget(repo: FhirRepository, other: { reference?: string; identifier?: Identifier }): Promise<string> {
    if (other.reference) {
      const id = /^(?:.*\/)?Patient\/([^/]+)$/.exec(other.reference)?.[1];
      if (id) {
        const found = await repo.readMany([{ type: 'Patient', id }]);
        if (found.length === 1) return id;
      }
      throw registryErrors.mergeTargetNotFound(other.reference);
    }
    if (other.identifier?.system && other.identifier.value) {
      const holders = await registryStore.holdersOf(repo.sql, other.identifier.system, other.identifier.value, '');
      const active = [];
      for (const v of await repo.readMany(holders.map((id) => ({ type: 'Patient', id })))) {
        const p = JSON.parse(v.json as string) as PatientJson;
        if (p.active !== false && !isGoldenRecord(p)) active.push(v.id);
      }
      if (active.length === 1) return active[0];
    }
    throw registryErrors.mergeTargetNotFound(JSON.stringify(other.identifier ?? other));
  }

  /** The survivor carries the merged record's identifiers (as old ones) so that they keep finding the person. */
  private async mergeInto(repo: FhirRepository, obsolete: PatientJson, survivorId: string, by: string): Promise<void> {
    const survivor = JSON.parse((await repo.read('Patient', survivorId)).json as string) as PatientJson;
    const have = new Set((survivor.identifier ?? []).map((i) => `${i.system}|${i.value}`));
    const added = (obsolete.identifier ?? []).filter((i) => !have.has(`${i.system}|${i.value}`)).map((i) => ({ ...i, use: 'old' }));
    const links = (survivor.link ?? []).filter((l) => l.other?.reference !== `Patient/${obsolete.id}`);
    const updated = { ...survivor, identifier: [...(survivor.identifier ?? []), ...added], link: [...links, { other: { reference: `Patient/${obsolete.id}` }, type: 'replaces' }] };
    await this.internal.run(true, () => repo.update(updated as FhirResource));
    await registryStore.closeReviews(repo.sql, [obsolete.id as string, survivorId], 'superseded', by);
  }

  /** Moves every source of `from` to `to`; `from` stays, inactive, pointing at its replacement. */
  async absorbGolden(repo: FhirRepository, from: string, to: string, by: string): Promise<void> {
    if (from === to) return;
    for (const l of await registryStore.linksOfGoldens(repo.sql, [from])) {
      await registryStore.setLink(repo.sql, { source_id: l.source_id, golden_id: to, method: l.method === 'steward' ? 'steward' : 'merge', score: l.score, decidedBy: by, reason: `merged into Patient/${to}` });
    }
    await this.retireGolden(repo, from, to);
  }

  private async retireGolden(repo: FhirRepository, goldenId: string, replacedBy?: string): Promise<void> {
    const current = await repo.readMany([{ type: 'Patient', id: goldenId }]);
    if (current.length === 0) return;
    const golden = JSON.parse(current[0].json as string) as PatientJson;
    const retired = { ...golden, active: false, link: replacedBy ? [{ other: { reference: `Patient/${replacedBy}` }, type: 'replaced-by' }] : [] };
    await this.internal.run(true, () => repo.update(retired as FhirResource));
  }

  private async unlinkDeleted(repo: FhirRepository, sourceId: string): Promise<void> {
    const link = await registryStore.removeLink(repo.sql, sourceId, writer(), 'source record deleted');
    await registryStore.closeReviews(repo.sql, [sourceId], 'superseded', writer());
    if (link) await this.rebuild(repo, new Set([link.golden_id]));
  }

  /** Rewrites each golden record from its current sources (retiring those left with none). */
  async rebuild(repo: FhirRepository, goldenIds: Set<string>): Promise<void> {
    for (const goldenId of goldenIds) {
      const links = await registryStore.linksOfGoldens(repo.sql, [goldenId]);
      if (links.length === 0) { await this.retireGolden(repo, goldenId); continue; }
      const sources = await repo.readMany(links.map((l) => ({ type: 'Patient', id: l.source_id })));
      const existing = await repo.readMany([{ type: 'Patient', id: goldenId }]);
      const previous = existing[0] ? JSON.parse(existing[0].json as string) as PatientJson : undefined;
      const registryId = previous?.identifier?.find((i) => i.system === REGISTRY_ID_SYSTEM)?.value ?? newRegistryId(randomBytes(11));
      const golden = buildGoldenRecord(goldenId, registryId, sources.map(goldenSource));
      await this.internal.run(true, () => repo.update(golden));
    }
  }

  /** Steward: put a source record with another person (or a new one), overriding matching. */
  async relink(repo: FhirRepository, sourceId: string, toGolden: string | undefined, by: string, reason: string): Promise<string> {
    return repo.withTransaction(async (tx) => {
      await tx.read('Patient', sourceId);
      const before = await registryStore.linkOf(tx.sql, sourceId);
      const goldenId = toGolden ?? `cr-${newResourceId()}`;
      if (toGolden && !(await registryStore.isGolden(tx.sql, toGolden))) throw registryErrors.mergeTargetNotFound(`Patient/${toGolden}`);
      await registryStore.setLink(tx.sql, { source_id: sourceId, golden_id: goldenId, method: 'steward', score: null, decidedBy: by, reason });
      if (before && !toGolden) {
        // "Not the same person": keep them apart from every record of the golden record they leave.
        for (const l of await registryStore.linksOfGoldens(tx.sql, [before.golden_id])) await registryStore.markNotDuplicate(tx.sql, sourceId, l.source_id, by);
      }
      await this.rebuild(tx, new Set([goldenId, ...(before ? [before.golden_id] : [])]));
      await registryStore.closeReviews(tx.sql, [sourceId], toGolden ? 'linked' : 'not-duplicate', by);
      return goldenId;
    });
  }

  /** Steward: two golden records are one person. Reversible: each source's history says where it was. */
  async mergeGoldens(repo: FhirRepository, from: string, to: string, by: string): Promise<void> {
    await repo.withTransaction(async (tx) => {
      for (const id of [from, to]) if (!(await registryStore.isGolden(tx.sql, id))) throw registryErrors.mergeTargetNotFound(`Patient/${id}`);
      const sources = (await registryStore.linksOfGoldens(tx.sql, [from])).map((l) => l.source_id);
      for (const s of sources) await registryStore.setLink(tx.sql, { source_id: s, golden_id: to, method: 'steward', score: null, decidedBy: by, reason: `steward merged Patient/${from} into Patient/${to}` });
      await this.retireGolden(tx, from, to);
      await this.rebuild(tx, new Set([to]));
      await registryStore.closeReviews(tx.sql, sources, 'linked', by);
    });
  }

  /** Steward: the two source records are different people; they are kept apart from now on. */
  async notDuplicate(repo: FhirRepository, a: string, b: string, by: string): Promise<void> {
    await repo.withTransaction(async (tx) => {
      await registryStore.markNotDuplicate(tx.sql, a, b, by);
      await tx.sql.query(`UPDATE cr_review SET status = 'not-duplicate', decided_at = now(), decided_by = $3
        WHERE status = 'open' AND ((source_id = $1 AND candidate_id = $2) OR (source_id = $2 AND candidate_id = $1))`, [a, b, by]);
      const [la, lb] = [await registryStore.linkOf(tx.sql, a), await registryStore.linkOf(tx.sql, b)];
      if (la && lb && la.golden_id === lb.golden_id) await this.relink(tx, a, undefined, by, 'steward: not a duplicate');
    });
  }

  /**
   * Loads many source Patients at once with the same checks and linking decisions as one write
   * (bulk-load.ts): multi-row batches, one transaction each; refused rows come back in the report.
   */
  async loadBulk(repo: FhirRepository, records: AsyncIterable<unknown> | Iterable<unknown>, options: BulkLoadOptions = {}): Promise<BulkLoadReport> {
    return new BulkLoader(this, repo, options).load(records);
  }

  /** Re-decides every automatically linked record under the rules now in force, without resubmission. */
  async rematchAll(repo: FhirRepository, by: string, onProgress?: (done: number, total: number) => void): Promise<{ records: number; changed: number }> {
    const ids = (await repo.sql.query<{ source_id: string }>("SELECT source_id FROM cr_link WHERE method IN ('probabilistic', 'new') ORDER BY source_id")).rows.map((r) => r.source_id);
    let changed = 0;
    for (const [i, id] of ids.entries()) {
      await repo.withTransaction(async (tx) => {
        const before = await registryStore.linkOf(tx.sql, id);
        const current = await tx.readMany([{ type: 'Patient', id }]);
        if (current.length === 0) return;
        await this.placeSourceRecord(tx, current[0], by);
        const after = await registryStore.linkOf(tx.sql, id);
        if (before?.golden_id !== after?.golden_id) changed++;
      });
      onProgress?.(i + 1, ids.length);
    }
    return { records: ids.length, changed };
  }
}
