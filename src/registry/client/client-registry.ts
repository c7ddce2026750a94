import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import type { FhirRepository, WriteHook } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource, StoredVersion } from '../../fhir/repository/resource-types.ts';
import { currentWriteSource } from '../../fhir/repository/write-source.ts';
import { buildGoldenRecord, isGoldenRecord, newRegistryId } from './golden-record.ts';
import { IdentifierAuthorities, REGISTRY_ID_SYSTEM } from './identifier-authorities.ts';
import {
  blockingKeys, comparePair, decide, defaultDecisionRules, defaultModel, parseDecisionRules, personFromPatient,
  type DecisionRules, type MatchModel, type PairComparison, type PersonRecord,
} from './matching/index.ts';
import { registryErrors } from './registry-errors.ts';
import { registryStore, type LinkMethod } from './registry-store.ts';

/** Candidates read per record: blocks of common names are capped so one match never scans a district. */
const maxCandidates = 200;

interface Identifier { system?: string; value?: string; use?: string }
type PatientJson = FhirResource & { identifier?: Identifier[]; name?: { family?: string; given?: string[]; text?: string }[]; birthDate?: string; link?: { other?: { reference?: string; identifier?: Identifier }; type?: string }[]; active?: boolean };

export interface ScoredCandidate {
  goldenId: string;
  sourceId: string;
  comparison: PairComparison;
  decision: 'link' | 'review' | 'new';
  grade: 'certain' | 'probable' | 'possible' | 'certainly-not';
}

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
  private config: { rules: DecisionRules; rulesVersion: number; model: MatchModel } | undefined;

  readonly hook: WriteHook = {
    types: ['Patient', 'NamingSystem'],
    beforeWrite: async (repo, resource, previous) => {
      if (resource.resourceType !== 'Patient' || this.internal.getStore()) return;
      if (isGoldenRecord(resource) || (previous && isGoldenRecord(previous))) throw registryErrors.goldenIsRegistryOwned();
      await this.checkSourceRecord(repo, resource as PatientJson);
      return this.resolveMergeLink(repo, resource as PatientJson);
    },
    afterWrite: async (repo, version, previous) => {
      if (version.resourceType === 'NamingSystem') return this.authorities.invalidate();
      if (this.internal.getStore()) return;
      if (version.deleted) return this.unlinkDeleted(repo, version.id, previous);
      await this.placeSourceRecord(repo, version);
    },
  };

  /** The decision rules and match model in force (the newest versions stored, else the defaults). */
  async settings(repo: FhirRepository): Promise<{ rules: DecisionRules; rulesVersion: number; model: MatchModel }> {
    if (!this.config) {
      const rules = await registryStore.latestJson(repo.sql, 'cr_rules');
      const model = await registryStore.latestJson(repo.sql, 'cr_model');
      this.config = {
        rules: rules ? parseDecisionRules(rules.value) : defaultDecisionRules,
        rulesVersion: rules?.version ?? 0,
        model: (model?.value as MatchModel | undefined) ?? defaultModel,
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

  async saveModel(repo: FhirRepository, model: MatchModel): Promise<number> {
    const version = await registryStore.saveJson(repo.sql, 'cr_model', model);
    this.config = undefined;
    return version;
  }

  private async checkSourceRecord(repo: FhirRepository, patient: PatientJson): Promise<void> {
    for (const name of patient.name ?? []) {
      if (!name.family?.trim() && !(name.given ?? []).some((g) => g?.trim()) && !name.text?.trim()) throw registryErrors.emptyName();
    }
    if (patient.birthDate && patient.birthDate > new Date().toISOString().slice(0, patient.birthDate.length)) throw registryErrors.futureBirthDate(patient.birthDate);
    const source = currentWriteSource() ?? 'huza';
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
  private async placeSourceRecord(repo: FhirRepository, version: StoredVersion): Promise<void> {
    const patient = JSON.parse(version.json as string) as PatientJson;
    const person = personFromPatient(patient);
    const { rules, rulesVersion, model } = await this.settings(repo);
    await registryStore.setBlockingKeys(repo.sql, patient.id as string, blockingKeys(person));
    const by = currentWriteSource() ?? 'huza';
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

    const byIdentifier = await this.goldensSharingIdentifiers(repo, patient, person, model, rules);
    let goldenId: string;
    let method: LinkMethod;
    let score: number | null = null;
    const reviews: ScoredCandidate[] = [];
    if (byIdentifier) {
      goldenId = byIdentifier.goldenId;
      method = 'identifier';
      score = byIdentifier.comparison.score;
    } else {
      const scored = await this.scoreCandidates(repo, person, patient.id as string, model, rules);
      const best = scored[0];
      if (best && best.decision === 'link') {
        goldenId = best.goldenId;
        method = 'probabilistic';
        score = best.comparison.score;
      } else {
        goldenId = before?.method === 'new' ? before.golden_id : `cr-${randomUUID()}`;
        method = 'new';
      }
      reviews.push(...scored.filter((c) => c.decision === 'review' && c.goldenId !== goldenId));
    }
    await registryStore.setLink(repo.sql, { source_id: patient.id as string, golden_id: goldenId, method, score, rulesVersion, decidedBy: by });
    for (const r of reviews) await registryStore.openReview(repo.sql, patient.id as string, r.sourceId, r.comparison.score, r.comparison.fields.map(({ a: _a, b: _b, ...f }) => f), rulesVersion);
    touched.add(goldenId);
    await this.rebuild(repo, touched);
  }

  /**
   * Same value in a person-unique domain means same person, unless the demographics say clearly
   * otherwise: then the identifier is claimed by two people, which a steward must resolve.
   */
  private async goldensSharingIdentifiers(repo: FhirRepository, patient: PatientJson, person: PersonRecord, model: MatchModel, rules: DecisionRules) {
    const holders = new Set<string>();
    for (const [i, id] of (patient.identifier ?? []).entries()) {
      if (!id.system || !id.value || id.system === REGISTRY_ID_SYSTEM) continue;
      const authority = await this.authorities.find(repo, id.system);
      if (!authority?.personUnique) continue;
      for (const h of await registryStore.holdersOf(repo.sql, id.system, id.value, patient.id as string)) holders.add(`${h}\u0000${i}`);
    }
    const links = await registryStore.linksOfSources(repo.sql, [...new Set([...holders].map((h) => h.split('\u0000')[0]))]);
    if (links.length === 0) return undefined;
    const others = await repo.readMany(links.map((l) => ({ type: 'Patient', id: l.source_id })));
    let found: { goldenId: string; comparison: PairComparison } | undefined;
    for (const other of others) {
      const link = links.find((l) => l.source_id === other.id)!;
      const comparison = comparePair(person, personFromPatient(JSON.parse(other.json as string)), model);
      const { decision } = decide(comparison, rules);
      // Only a link is safe: anything less means two people claim one identifier, which no rule may settle quietly.
      if (decision !== 'link') {
        const i = Number([...holders].find((h) => h.startsWith(`${other.id}\u0000`))?.split('\u0000')[1] ?? 0);
        const id = patient.identifier![i];
        throw registryErrors.identifierConflict(id.system!, id.value!, `Patient/${link.golden_id}`, `Patient.identifier[${i}]`);
      }
      if (!found || comparison.score > found.comparison.score) found = { goldenId: link.golden_id, comparison };
    }
    return found;
  }

  /** Scores the records sharing a blocking key with `person`, best first, one per golden record. */
  async scoreCandidates(repo: FhirRepository, person: PersonRecord, selfId: string, model: MatchModel, rules: DecisionRules): Promise<ScoredCandidate[]> {
    const ids = await registryStore.candidates(repo.sql, blockingKeys(person), selfId, maxCandidates);
    const links = await registryStore.linksOfSources(repo.sql, ids);
    const goldenOf = new Map(links.map((l) => [l.source_id, l.golden_id]));
    const selfGolden = (await registryStore.linkOf(repo.sql, selfId))?.golden_id;
    const best = new Map<string, ScoredCandidate>();
    for (const other of await repo.readMany(ids.map((id) => ({ type: 'Patient', id })))) {
      const goldenId = goldenOf.get(other.id);
      if (!goldenId || goldenId === selfGolden && selfId !== '') continue;
      if (await registryStore.notDuplicate(repo.sql, selfId, other.id)) continue;
      const comparison = comparePair(person, personFromPatient(JSON.parse(other.json as string)), model);
      const d = decide(comparison, rules);
      const prior = best.get(goldenId);
      if (!prior || comparison.score > prior.comparison.score) best.set(goldenId, { goldenId, sourceId: other.id, comparison, ...d });
    }
    return [...best.values()].sort((a, b) => b.comparison.score - a.comparison.score);
  }

  /** A record stored before the registry was installed (or by a trusted loader) gets its person now. */
  private async ensureLinked(repo: FhirRepository, sourceId: string, by: string): Promise<string> {
    const link = await registryStore.linkOf(repo.sql, sourceId);
    if (link) return link.golden_id;
    const goldenId = `cr-${randomUUID()}`;
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

  private async unlinkDeleted(repo: FhirRepository, sourceId: string, _previous: FhirResource | undefined): Promise<void> {
    const link = await registryStore.removeLink(repo.sql, sourceId, currentWriteSource() ?? 'huza', 'source record deleted');
    await registryStore.closeReviews(repo.sql, [sourceId], 'superseded', currentWriteSource() ?? 'huza');
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
      const golden = buildGoldenRecord(goldenId, registryId, sources.map((s) => ({ id: s.id, lastUpdated: s.lastUpdated.toISOString(), resource: JSON.parse(s.json as string) })));
      await this.internal.run(true, () => repo.update(golden));
    }
  }

  /** Steward: put a source record with another person (or a new one), overriding matching. */
  async relink(repo: FhirRepository, sourceId: string, toGolden: string | undefined, by: string, reason: string): Promise<string> {
    return repo.withTransaction(async (tx) => {
      await tx.read('Patient', sourceId);
      const before = await registryStore.linkOf(tx.sql, sourceId);
      const goldenId = toGolden ?? `cr-${randomUUID()}`;
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

  /** Re-decides every automatically linked record under the rules now in force, without resubmission. */
  async rematchAll(repo: FhirRepository, by: string, onProgress?: (done: number, total: number) => void): Promise<{ records: number; changed: number }> {
    const ids = (await repo.sql.query<{ source_id: string }>("SELECT source_id FROM cr_link WHERE method IN ('probabilistic', 'new') ORDER BY source_id")).rows.map((r) => r.source_id);
    let changed = 0;
    for (const [i, id] of ids.entries()) {
      await repo.withTransaction(async (tx) => {
        const before = await registryStore.linkOf(tx.sql, id);
        const current = await tx.readMany([{ type: 'Patient', id }]);
        if (current.length === 0) return;
        await this.placeSourceRecord(tx, current[0]);
        const after = await registryStore.linkOf(tx.sql, id);
        if (before?.golden_id !== after?.golden_id) changed++;
      });
      onProgress?.(i + 1, ids.length);
    }
    void by;
    return { records: ids.length, changed };
  }
}
