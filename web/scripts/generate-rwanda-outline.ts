// Regenerates web/src/data/rwanda-outline.json: Rwanda's national border for the facilities page's offline
// map, from Natural Earth's 1:10m admin-0 countries (public domain) as TopoJSON in the world-atlas package:
//   node web/scripts/generate-rwanda-outline.ts
// Coordinates are rounded to 4 decimals (about 11 m, a tenth of a pixel on the map). facilities.test.ts
// fails while the shipped file differs from what this writes.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

export const OUTLINE_FILE = new URL('../src/data/rwanda-outline.json', import.meta.url);

/** Natural Earth's numeric code for Rwanda (ISO 3166-1 numeric 646). */
const rwandaId = '646';

export interface RwandaOutline {
  type: 'Feature';
  properties: { name: string; iso3166: string; source: string };
  geometry: { type: 'MultiPolygon'; coordinates: number[][][][] };
}

export function computeRwandaOutline(): RwandaOutline {
  const require = createRequire(import.meta.url);
  const atlasDir = new URL('.', pathToFileURL(require.resolve('world-atlas/package.json')));
  const atlas = JSON.parse(readFileSync(new URL('package.json', atlasDir), 'utf8')) as { version: string };
  const topology = JSON.parse(readFileSync(new URL('countries-10m.json', atlasDir), 'utf8')) as Topology<{ countries: GeometryCollection }>;
  const country = topology.objects.countries.geometries.find((g) => g.id === rwandaId);
  if (!country) throw new Error(`world-atlas countries-10m.json has no country ${rwandaId} (Rwanda)`);
  const shape = feature(topology, country);
  if (shape.type !== 'Feature') throw new Error('Rwanda is a collection of features in world-atlas, not one feature');
  const { geometry } = shape;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  if (!polygons.length) throw new Error(`Rwanda's geometry is a ${geometry.type}, not a polygon`);
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  const coordinates = polygons.map((rings) => rings.map((ring) => {
    const out: number[][] = [];
    for (const [long, lat] of ring) {
      const point = [round(long), round(lat)];
      const last = out.at(-1);
      if (!last || last[0] !== point[0] || last[1] !== point[1]) out.push(point);
    }
    return out;
  }));
  return {
    type: 'Feature',
    properties: {
      name: 'Rwanda',
      iso3166: 'RW',
      source: `Natural Earth 1:10m admin-0 countries (public domain, naturalearthdata.com) via world-atlas ${atlas.version} countries-10m.json; `
        + 'coordinates [longitude, latitude] rounded to 4 decimals. Regenerate: node web/scripts/generate-rwanda-outline.ts',
    },
    geometry: { type: 'MultiPolygon', coordinates },
  };
}

/** One line per ring point would be long; one line per ring keeps diffs readable and the file small. */
export function formatOutline(outline: RwandaOutline): string {
  const polygons = outline.geometry.coordinates.map((rings) =>
    `      [\n${rings.map((ring) => `        ${JSON.stringify(ring)}`).join(',\n')}\n      ]`);
  return `{\n  "type": "Feature",\n  "properties": ${JSON.stringify(outline.properties)},\n`
    + `  "geometry": {\n    "type": "MultiPolygon",\n    "coordinates": [\n${polygons.join(',\n')}\n    ]\n  }\n}\n`;
}

if (import.meta.main) {
  const outline = computeRwandaOutline();
  const text = formatOutline(outline);
  writeFileSync(OUTLINE_FILE, text);
  const points = outline.geometry.coordinates.flat().reduce((n, ring) => n + ring.length, 0);
  console.log(`${points} points, ${text.length} bytes; written to ${OUTLINE_FILE.pathname}`);
}
