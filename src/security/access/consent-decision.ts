/**
 * A patient's FHIR Consent (R4 Consent.provision, opt-out model): data is shared unless an active
 * Consent denies it to the requesting facility. A provision applies to the actors it lists (all when it
 * lists none); nested provisions refine their parent, so "deny everyone, permit my referral hospital"
 * is a root deny with a nested permit.
 */
export interface ConsentResource {
  status?: string;
  provision?: Provision;
}

interface Provision {
  type?: 'deny' | 'permit';
  period?: { start?: string; end?: string };
  actor?: { reference?: { reference?: string } }[];
  provision?: Provision[];
}

export function consentAllows(consents: ConsentResource[], facilities: string[], now = new Date()): boolean {
  const refs = new Set(facilities.map((f) => `Organization/${f}`));
  let allowed = true;
  for (const consent of consents) {
    if (consent.status !== 'active' || !consent.provision) continue;
    allowed = apply(consent.provision, allowed, refs, now);
  }
  return allowed;
}

function apply(provision: Provision, inherited: boolean, refs: Set<string>, now: Date): boolean {
  let decision = inherited;
  if (inForce(provision, now) && matches(provision, refs) && provision.type) decision = provision.type === 'permit';
  for (const nested of provision.provision ?? []) {
    if (!inForce(nested, now) || !matches(nested, refs) || !nested.type) continue;
    decision = nested.type === 'permit';
  }
  return decision;
}

function matches(provision: Provision, refs: Set<string>): boolean {
  const actors = provision.actor ?? [];
  return actors.length === 0 || actors.some((a) => refs.has(a.reference?.reference ?? ''));
}

function inForce(provision: Provision, now: Date): boolean {
  const { start, end } = provision.period ?? {};
  return (!start || new Date(start) <= now) && (!end || new Date(end) >= now);
}
