// Corrections of @medplum/core validation issues where medplum deviates from R4.
//
// - base64Binary: R4's regex `(\s*([0-9a-zA-Z\+/=]){4}\s*)+` allows whitespace (line-wrapped base64, as in
//   several official examples); medplum refuses any whitespace. Re-checked without whitespace.
// - code / whitespace-only strings: R4's regexes (code `[^\s]+(\s[^\s]+)*`) are XML-Schema regexes where `\s`
//   is only space/tab/CR/LF; medplum uses JS regexes and String.trim(), which also treat e.g. U+00A0 as
//   whitespace. Re-checked with the XML-Schema whitespace class.
// - Reference target type: medplum only warns (to stay backward compatible), and reads the type of absolute
//   (`http://server/fhir/Patient/1`) and `urn:uuid:` references wrongly. R4 requires the target type to be
//   one of the element's targetProfiles: re-checked here and reported as an error when the type is known.
// - Several JSON properties for one choice element (`deceasedBoolean` + `deceasedDateTime`) or a primitive
//   extension of another type (`valueString` + `_valueCode`): medplum only warns and gives no path. In R4 JSON
//   the element has a single value, so these are errors; the element is located in the resource.

import { isResourceType } from '@medplum/core';
import { findObjectExpression } from './fhirpath-expression.ts';

export interface RawIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: string;
  message: string;
  /** Path as reported by medplum. */
  path: string;
  /** Concrete FHIRPath expression for path, and the JSON value found there. */
  expression: string;
  value: unknown;
}

type JsonObject = Record<string, unknown>;

/** Returns the corrected issue, or undefined when medplum's issue is wrong and must be dropped. */
export function reviseMedplumIssue(issue: RawIssue, resource: JsonObject): RawIssue | undefined {
  if (issue.message === 'Invalid base64Binary format') {
    return typeof issue.value === 'string' && isValidR4Base64(issue.value) ? undefined : issue;
  }
  if (issue.message === 'Invalid code format') {
    return typeof issue.value === 'string' && R4_CODE.test(issue.value) ? undefined : issue;
  }
  if (issue.message === 'String must contain non-whitespace content') {
    return typeof issue.value === 'string' && /[^ \t\r\n]/.test(issue.value) ? undefined : issue;
  }
  if (issue.message.startsWith('Invalid reference: got "')) {
    return reviseReferenceIssue(issue, resource);
  }
  if (issue.message.startsWith('Conflicting choice of type properties')) {
    const keys = [...issue.message.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    return locateChoiceIssue(issue, resource, keys);
  }
  if (issue.message.startsWith('Type of primitive extension does not match')) {
    return locateMismatchedPrimitiveExtension(issue, resource);
  }
  return issue;
}

const XML_WHITESPACE = /[ \t\r\n]+/g;
const R4_CODE = /^[^ \t\r\n]+( [^ \t\r\n]+)*$/;

function isValidR4Base64(value: string): boolean {
  const data = value.replace(XML_WHITESPACE, '');
  return data.length > 0 && data.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(data);
}

const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';
// The type and id at the end of an absolute RESTful reference, optionally versioned.
const ABSOLUTE_REFERENCE = /\/([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function reviseReferenceIssue(issue: RawIssue, resource: JsonObject): RawIssue | undefined {
  const reference = (issue.value as { reference?: unknown } | undefined)?.reference;
  const expected = [...issue.message.slice(issue.message.indexOf('expected')).matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  if (typeof reference !== 'string' || expected.length === 0) {
    return issue;
  }
  const targetType = referencedType(reference, resource);
  if (targetType === undefined) {
    return undefined; // type cannot be known from the reference: nothing to check
  }
  if (!isResourceType(targetType)) {
    return issue; // not a resource reference: keep medplum's warning
  }
  if (expected.some((url) => url === `${HL7_SD}${targetType}` || url === `${HL7_SD}Resource`)) {
    return undefined;
  }
  const allowed = expected.map((url) => (url.startsWith(HL7_SD) ? url.slice(HL7_SD.length) : url));
  return {
    ...issue,
    severity: 'error',
    code: 'structure',
    message: `Invalid reference target: '${reference}' refers to ${targetType}, allowed: ${allowed.join(', ')}`,
  };
}

/** Resource type a reference points to, when it can be told from the reference (or the Bundle) alone. */
function referencedType(reference: string, resource: JsonObject): string | undefined {
  if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
    return bundleEntryType(reference, resource);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) {
    return ABSOLUTE_REFERENCE.exec(reference)?.[1] ?? bundleEntryType(reference, resource);
  }
  const relative = reference.split(/[/?]/)[0];
  return relative || undefined;
}

function bundleEntryType(fullUrl: string, resource: JsonObject): string | undefined {
  if (resource.resourceType !== 'Bundle' || !Array.isArray(resource.entry)) {
    return undefined;
  }
  const entry = (resource.entry as { fullUrl?: unknown; resource?: { resourceType?: unknown } }[]).find(
    (e) => e?.fullUrl === fullUrl
  );
  const type = entry?.resource?.resourceType;
  return typeof type === 'string' ? type : undefined;
}

function locateChoiceIssue(issue: RawIssue, resource: JsonObject, keys: string[]): RawIssue {
  if (keys.length < 2) {
    return { ...issue, severity: 'error' };
  }
  const [a, b] = keys.map((k) => (k.startsWith('_') ? k.slice(1) : k));
  const parent = findObjectExpression(resource, (obj) => keys.every((k) => k in obj));
  return {
    ...issue,
    severity: 'error',
    message: `Only one type is allowed for a choice element, found "${keys[0]}" and "${keys[1]}"`,
    expression: parent ? `${parent}.${choiceBase(a, b)}` : issue.expression,
  };
}

/** `deceasedBoolean` + `deceasedDateTime` -> `deceased`. */
function choiceBase(a: string, b: string): string {
  let length = 0;
  while (length < a.length && a[length] === b[length]) {
    length++;
  }
  while (length > 0 && !(isUpper(a[length]) && isUpper(b[length]))) {
    length--;
  }
  return a.slice(0, length);
}

function locateMismatchedPrimitiveExtension(issue: RawIssue, resource: JsonObject): RawIssue {
  const base = /"([^"]+)\[x\]"/.exec(issue.message)?.[1];
  if (!base) {
    return { ...issue, severity: 'error' };
  }
  const typed = (key: string): boolean => key.length > base.length && key.startsWith(base) && isUpper(key[base.length]);
  const parent = findObjectExpression(resource, (obj) => {
    const keys = Object.keys(obj);
    const values = keys.filter(typed);
    const extensions = keys.filter((k) => k.startsWith('_') && typed(k.slice(1))).map((k) => k.slice(1));
    return extensions.some((e) => values.length > 0 && !values.includes(e));
  });
  return {
    ...issue,
    severity: 'error',
    message: `The primitive extension of "${base}[x]" has a different type than its value`,
    expression: parent ? `${parent}.${base}` : issue.expression,
  };
}

function isUpper(ch: string | undefined): boolean {
  return ch !== undefined && ch >= 'A' && ch <= 'Z';
}
