import type { AuditEvent, Reference } from './types.ts';
import { referenceText } from './format.ts';
import { timeZoneOffset, timeZoneOffsetMs } from '../time.ts';

export const actReasonSystem = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

export type AuditAction = NonNullable<AuditEvent['action']>;
export const auditActions: AuditAction[] = ['C', 'R', 'U', 'D', 'E'];
export type AuditOutcome = NonNullable<AuditEvent['outcome']>;
export const auditOutcomes: AuditOutcome[] = ['0', '4', '8', '12'];

export interface Purpose { code?: string; text: string }

export interface AccessRow {
  id: string;
  recorded: string;
  /** Who asked: the requestor agent (or the first agent). */
  who: string;
  whoReference?: string;
  /** What was touched: entity references, or names where there is no reference. */
  what: string[];
  action?: AuditAction;
  /** Why: v3-ActReason codes (translated by the app) or the text the server gave. */
  purposes: Purpose[];
  breakTheGlass: boolean;
  outcome?: AuditOutcome;
  outcomeDesc?: string;
  /** Not an access to records but a sign-in or sign-out (DICOM 110114 "User Authentication"). */
  authentication?: 'login' | 'logout';
  /** A search (restful-interaction search-type/-system): BALP records it with action E. */
  search: boolean;
}

const restfulInteraction = 'http://hl7.org/fhir/restful-interaction';

const dicom = 'http://dicom.nema.org/resources/ontology/DCM';

/** DICOM 110114 "User Authentication", subtype 110122 "Login" or 110123 "Logout" (as Huza records them). */
export function authenticationKind(event: AuditEvent): AccessRow['authentication'] {
  if (event.type?.code !== '110114' || (event.type.system && event.type.system !== dicom)) return undefined;
  const codes = (event.subtype ?? []).map((s) => s.code);
  return codes.includes('110123') ? 'logout' : 'login';
}

/** Break-the-glass: an emergency override, marked with v3-ActReason `BTG` on the event or an agent. */
export function isBreakTheGlass(event: AuditEvent): boolean {
  const concepts = [...(event.purposeOfEvent ?? []), ...event.agent.flatMap((a) => a.purposeOfUse ?? [])];
  return concepts.some((c) => c.coding?.some((coding) => coding.code === 'BTG' && (!coding.system || coding.system === actReasonSystem)));
}

function who(ref: Reference | undefined, name: string | undefined): string {
  return referenceText(ref) || name || '';
}

export function toAccessRow(event: AuditEvent): AccessRow {
  const requestor = event.agent.find((a) => a.requestor) ?? event.agent[0];
  // Break-the-glass is shown as its own mark, not repeated among the purposes.
  // A concept's text is kept when it says more than its codings (Huza writes the reason given for
  // breaking the glass there).
  const purposes = [...(event.purposeOfEvent ?? []), ...(requestor?.purposeOfUse ?? [])]
    .flatMap((c): Purpose[] => {
      const codings = c.coding ?? [];
      const coded = codings.filter((coding) => coding.code !== 'BTG').map((coding) => ({
        code: coding.system === actReasonSystem ? coding.code : undefined,
        text: coding.display ?? coding.code ?? '',
      }));
      const saysMore = c.text && !codings.some((coding) => coding.display === c.text || coding.code === c.text);
      return saysMore ? [...coded, { text: c.text as string }] : coded;
    })
    .filter((p, i, all) => p.text && all.findIndex((q) => q.text === p.text && q.code === p.code) === i);
  return {
    id: event.id ?? `${event.recorded}-${requestor?.who?.reference ?? ''}`,
    recorded: event.recorded,
    who: who(requestor?.who, requestor?.name),
    whoReference: requestor?.who?.reference,
    what: (event.entity ?? []).map((e) => e.what?.reference ?? e.what?.display ?? e.name ?? '').filter(Boolean),
    action: event.action,
    purposes,
    breakTheGlass: isBreakTheGlass(event),
    outcome: event.outcome,
    outcomeDesc: event.outcomeDesc,
    authentication: authenticationKind(event),
    search: (event.subtype ?? []).some((s) => (!s.system || s.system === restfulInteraction) && /^search(-type|-system)?$/.test(s.code ?? '')),
  };
}

const kigaliOffsetMs = timeZoneOffsetMs;
const weekMs = 7 * 24 * 3600 * 1000;

/** Monday 00:00 Kigali time of the week holding `instant`, as a yyyy-mm-dd label. */
export function weekStart(instant: Date): string {
  const local = new Date(instant.getTime() + kigaliOffsetMs);
  const day = (local.getUTCDay() + 6) % 7; // Monday = 0
  local.setUTCHours(0, 0, 0, 0);
  local.setUTCDate(local.getUTCDate() - day);
  return local.toISOString().slice(0, 10);
}

export interface WeekCount { week: string; routine: number; emergency: number }

/** Accesses per week over the `weeks` weeks ending with the week of `now`, oldest first; empty weeks are zero. */
export function accessesPerWeek(rows: Pick<AccessRow, 'recorded' | 'breakTheGlass'>[], now: Date, weeks = 12): WeekCount[] {
  const last = new Date(`${weekStart(now)}T00:00:00Z`).getTime();
  const buckets: WeekCount[] = [];
  for (let i = weeks - 1; i >= 0; i--) {
    buckets.push({ week: new Date(last - i * weekMs).toISOString().slice(0, 10), routine: 0, emergency: 0 });
  }
  const byWeek = new Map(buckets.map((b) => [b.week, b]));
  for (const row of rows) {
    const bucket = byWeek.get(weekStart(new Date(row.recorded)));
    if (!bucket) continue;
    if (row.breakTheGlass) bucket.emergency++;
    else bucket.routine++;
  }
  return buckets;
}

/** The first instant of the chart's window, for the `date=ge…` search. */
export function windowStart(now: Date, weeks = 12): string {
  const last = new Date(`${weekStart(now)}T00:00:00Z`).getTime();
  return new Date(last - (weeks - 1) * weekMs - kigaliOffsetMs).toISOString();
}

/** The auditor's filters, as typed (dates are yyyy-mm-dd). */
export interface AuditFilters { from: string; to: string; agent: string; patient: string; action: string; outcome: string }
export const filterNames: (keyof AuditFilters)[] = ['from', 'to', 'agent', 'patient', 'action', 'outcome'];
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** The FHIR search for a set of filters; days are whole days in Kigali time. */
export function auditQuery(filters: AuditFilters): string {
  const q = new URLSearchParams({ _sort: '-date', _count: '50' });
  if (isoDate.test(filters.from)) q.append('date', `ge${filters.from}T00:00:00${timeZoneOffset}`);
  if (isoDate.test(filters.to)) q.append('date', `le${filters.to}T23:59:59${timeZoneOffset}`);
  if (filters.agent.trim()) q.set('agent', filters.agent.trim());
  if (filters.patient.trim()) q.set('patient', filters.patient.trim());
  if (filters.action) q.set('action', filters.action);
  if (filters.outcome) q.set('outcome', filters.outcome);
  return `AuditEvent?${q.toString()}`;
}

