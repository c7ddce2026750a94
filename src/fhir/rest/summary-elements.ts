import { topLevelElements } from '../definitions/structure-definitions.ts';
import type { SummaryMode } from '../search/search-request.ts';
import type { FhirResource } from '../repository/resource-types.ts';

const subsettedTag = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

/** Whether _summary / _elements change the output, so the stored JSON cannot be passed through untouched. */
export function needsSubsetting(summary: SummaryMode | undefined, elements: string[] | undefined): boolean {
  return (summary !== undefined && summary !== 'false') || (elements !== undefined && elements.length > 0);
}

/**
 * _summary and _elements (R4 §3.1.1.5.8–9): keep the summary elements (per the StructureDefinitions'
 * isSummary), or the named ones, always with id, meta and the mandatory elements, and mark the result SUBSETTED.
 */
export function subsetResource(resource: FhirResource, summary: SummaryMode | undefined, elements: string[] | undefined): FhirResource {
  const defs = topLevelElements(resource.resourceType);
  const choiceNames = new Map(defs.map((d) => [d.name, d]));
  const baseName = (key: string) => {
    if (choiceNames.has(key)) return key;
    const choice = defs.find((d) => key.startsWith(d.name) && /^[A-Z]/.test(key.slice(d.name.length)));
    return choice?.name ?? key;
  };
  let keep: (key: string) => boolean;
  if (elements && elements.length > 0) {
    const wanted = new Set(elements.map((e) => e.split('.')[0]));
    keep = (key) => wanted.has(baseName(key)) || (choiceNames.get(baseName(key))?.min ?? 0) > 0;
  } else if (summary === 'true') {
    keep = (key) => choiceNames.get(baseName(key))?.isSummary === true;
  } else if (summary === 'text') {
    keep = (key) => key === 'text' || (choiceNames.get(baseName(key))?.min ?? 0) > 0;
  } else if (summary === 'data') {
    keep = (key) => key !== 'text';
  } else {
    return resource;
  }
  const out: FhirResource = { resourceType: resource.resourceType };
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'resourceType' || key === 'id' || key === 'meta' || keep(key)) out[key] = value;
  }
  const tags = (resource.meta?.tag as unknown[] | undefined) ?? [];
  out.meta = { ...resource.meta, tag: [...tags, subsettedTag] };
  return out;
}
