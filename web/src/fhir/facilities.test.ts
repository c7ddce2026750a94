import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { computeRwandaOutline, formatOutline, OUTLINE_FILE } from '../../scripts/generate-rwanda-outline.ts';
import outline from '../data/rwanda-outline.json' with { type: 'json' };
import { facilityQuery, facilityRow, mapFrame, outlinePath, project, withEdits, type Location } from './facilities.ts';

test('facility searches are mCSD queries on facility buildings', () => {
  assert.equal(new URLSearchParams(facilityQuery({}).split('?')[1]).get('type'), 'https://moh.gov.rw/fhir/CodeSystem/facility-level|');
  const q = new URLSearchParams(facilityQuery({ name: ' Kib ', level: 'health-centre', district: 'rw-district-musanze' }).split('?')[1]);
  assert.equal(q.get('name:contains'), 'Kib');
  assert.equal(q.get('type'), 'https://moh.gov.rw/fhir/CodeSystem/facility-level|health-centre');
  assert.equal(q.get('partof'), 'Location/rw-district-musanze');
});

const kabutare: Location = {
  resourceType: 'Location', id: 'rw-fac-dh-huye', name: 'Kabutare District Hospital', status: 'active',
  identifier: [{ system: 'https://moh.gov.rw/fhir/id/facility', value: 'dh-huye' }],
  type: [{ coding: [{ system: 'https://moh.gov.rw/fhir/CodeSystem/facility-level', code: 'district-hospital' }] }],
  telecom: [{ system: 'phone', value: '+250788000111' }, { system: 'email', value: 'dh@huye.rw' }],
  address: { district: 'Huye' }, position: { latitude: -2.6, longitude: 29.74 },
};

test('a facility row carries what the table and the map show', () => {
  assert.deepEqual(facilityRow(kabutare), {
    id: 'rw-fac-dh-huye', name: 'Kabutare District Hospital', code: 'dh-huye', level: 'district-hospital', district: 'Huye',
    phone: '+250788000111', status: 'active', lat: -2.6, long: 29.74,
  });
});

test('positions project inside the frame; outside Rwanda they are not drawn', () => {
  assert.deepEqual(project(mapFrame.latMax, mapFrame.longMin, 640, 560), { x: 0, y: 0 });
  assert.deepEqual(project(mapFrame.latMin, mapFrame.longMax, 640, 560), { x: 640, y: 560 });
  const huye = project(-2.6, 29.74, 640, 560)!;
  assert.ok(huye.x > 275 && huye.x < 285 && huye.y > 470 && huye.y < 480, JSON.stringify(huye));
  assert.equal(project(0, 30, 640, 560), undefined);
  assert.equal(project(-3.38, 29.36, 640, 560), undefined, 'Bujumbura');
});

/** Even–odd ray casting over every ring of GeoJSON MultiPolygon coordinates ([longitude, latitude]). */
function inside(lat: number, long: number, polygons: number[][][][]): boolean {
  let crossings = 0;
  for (const ring of polygons.flat()) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > lat) !== (yj > lat) && long < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) crossings++;
    }
  }
  return crossings % 2 === 1;
}

test("Rwanda's shipped border lies whole inside the map's frame", () => {
  const points = outline.geometry.coordinates.flat(2);
  assert.ok(points.length > 100 && points.length < 2000, `${points.length} points`);
  for (const [long, lat] of points) {
    const at = project(lat, long, 640, 560);
    assert.ok(at && at.x > 5 && at.x < 635 && at.y > 5 && at.y < 555, `${lat},${long} → ${JSON.stringify(at)}`);
  }
  const path = outlinePath(outline.geometry.coordinates, 640, 560);
  assert.match(path, /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+Z$/, 'one closed ring, every point on the map');
  assert.equal(path.split('L').length, points.length);
  assert.equal(outlinePath([[[[29, -2], [30, -2], [30, -1.5], [29, -2]]]], 640, 560), 'M59.5 297.9L357.2 297.9L357.2 148.9L59.5 297.9Z');
});

test('known places fall inside the border, neighbouring towns outside it', () => {
  const places = { Kigali: [-1.95, 30.06], Musanze: [-1.5, 29.63], Huye: [-2.6, 29.74], Rubavu: [-1.68, 29.35], Nyagatare: [-1.3, 30.33], Rwamagana: [-1.95, 30.43] };
  for (const [name, [lat, long]] of Object.entries(places)) assert.ok(inside(lat, long, outline.geometry.coordinates), name);
  const abroad = { Kabale: [-1.25, 29.99], Goma: [-1.68, 29.2], Bukavu: [-2.5, 28.85], Bujumbura: [-3.38, 29.36], Kampala: [0.35, 32.58] };
  for (const [name, [lat, long]] of Object.entries(abroad)) assert.ok(!inside(lat, long, outline.geometry.coordinates), name);
});

test('the shipped border is what the generator makes from world-atlas (Natural Earth)', () => {
  const outline = computeRwandaOutline();
  assert.match(outline.properties.source, /Natural Earth.*public domain/);
  assert.equal(readFileSync(OUTLINE_FILE, 'utf8'), formatOutline(outline),
    'web/src/data/rwanda-outline.json is out of date: node web/scripts/generate-rwanda-outline.ts');
});

test('edits change name, phone and status and keep the rest', () => {
  const edited = withEdits(kabutare, { name: ' CHU Kabutare ', phone: '+250788999000', status: 'inactive' });
  assert.equal(edited.name, 'CHU Kabutare');
  assert.equal(edited.status, 'inactive');
  assert.deepEqual(edited.telecom, [{ system: 'phone', value: '+250788999000', use: 'work' }, { system: 'email', value: 'dh@huye.rw' }]);
  assert.deepEqual(edited.position, kabutare.position);
  assert.deepEqual(edited.identifier, kabutare.identifier);
});
