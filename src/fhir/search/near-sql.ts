import { fhirErrors } from '../outcome/errors.ts';
import { splitEscaped } from './parse-search-request.ts';
import type { ParamFilter } from './search-request.ts';
import type { SqlParams } from './sql-params.ts';

/**
 * `Location?near=lat|long|distance|unit` (R4 type special). A position is indexed as two sp_number
 * rows under these names (not a parameter a client can name), so no geo extension or extra table is
 * needed: a bounding box narrows the candidates through sp_number's (param, low) index, then the
 * exact haversine distance decides.
 */
export const nearLatitude = 'near:latitude';
export const nearLongitude = 'near:longitude';

const earthRadiusKm = 6371.0088;
/** R4 leaves the distance to the server when the client gives none. */
export const defaultNearKm = 10;
const unitsInKm: Record<string, number> = { km: 1, m: 0.001, '[mi_i]': 1.609344, mi: 1.609344 };

export interface NearPoint {
  latitude: number;
  longitude: number;
  km: number;
}

export function parseNear(name: string, raw: string): NearPoint {
  const parts = splitEscaped(raw, '|');
  const [lat, long, distance, unit] = parts;
  const bad = (why: string) => fhirErrors.invalidSearchValue(name, raw, why);
  if (parts.length < 2 || parts.length > 4) throw bad('takes latitude|longitude|distance|unit (e.g. -1.4998|29.6346|5|km)');
  const decimal = /^[+-]?\d+(\.\d+)?$/;
  if (!decimal.test(lat) || Math.abs(Number(lat)) > 90) throw bad('latitude must be a decimal number within -90..90');
  if (!decimal.test(long) || Math.abs(Number(long)) > 180) throw bad('longitude must be a decimal number within -180..180');
  let km = defaultNearKm;
  if (distance !== undefined && distance !== '') {
    if (!/^\d+(\.\d+)?$/.test(distance)) throw bad('distance must be a decimal number ≥ 0');
    const factor = unitsInKm[unit === undefined || unit === '' ? 'km' : unit];
    if (factor === undefined) throw bad(`unit '${unit}' is not supported (km, m or [mi_i])`);
    km = Number(distance) * factor;
  }
  return { latitude: Number(lat), longitude: Number(long), km };
}

/** SQL for the great-circle distance in km from a point to the coordinates in the two columns. */
export function distanceSql(point: NearPoint, latSql: string, longSql: string, p: SqlParams): string {
  const lat = `radians(${p.add(point.latitude)}::float8)`;
  const long = `radians(${p.add(point.longitude)}::float8)`;
  const la = `radians(${latSql}::float8)`;
  const lo = `radians(${longSql}::float8)`;
  return `(2 * ${earthRadiusKm} * asin(least(1, sqrt(power(sin((${la} - ${lat}) / 2), 2) + cos(${lat}) * cos(${la}) * power(sin((${lo} - ${long}) / 2), 2)))))`;
}

/** The latitude and longitude ranges that hold every point within `km` (longitude unbounded near the poles or across ±180°). */
export function boundingBox(point: NearPoint): { latMin: number; latMax: number; longMin?: number; longMax?: number } {
  const dLat = (point.km / earthRadiusKm) * (180 / Math.PI);
  const latMin = point.latitude - dLat;
  const latMax = point.latitude + dLat;
  if (latMin <= -89 || latMax >= 89) return { latMin, latMax };
  const widest = Math.max(Math.abs(latMin), Math.abs(latMax)) * (Math.PI / 180);
  const dLong = dLat / Math.cos(widest);
  const longMin = point.longitude - dLong;
  const longMax = point.longitude + dLong;
  if (longMin < -180 || longMax > 180) return { latMin, latMax };
  return { latMin, latMax, longMin, longMax };
}

/** Some value of the filter is within its distance of the subject's position. */
export function nearFilterSql(filter: ParamFilter, subject: { typeSql: string; idSql: string }, p: SqlParams): string {
  if (filter.modifier !== undefined) throw fhirErrors.unsupportedModifier(filter.param.code, filter.modifier);
  const alternatives = filter.values.map((raw) => {
    const point = parseNear(filter.name, raw);
    const box = boundingBox(point);
    const la = p.alias('la');
    const lo = p.alias('lo');
    const longBox = box.longMin === undefined ? '' : ` AND ${lo}.low BETWEEN ${p.add(String(box.longMin))}::numeric AND ${p.add(String(box.longMax))}::numeric`;
    return `EXISTS (SELECT 1 FROM sp_number ${la} JOIN sp_number ${lo}
        ON ${lo}.resource_type = ${la}.resource_type AND ${lo}.resource_id = ${la}.resource_id AND ${lo}.param = ${p.add(nearLongitude)}
      WHERE ${la}.resource_type = ${subject.typeSql} AND ${la}.resource_id = ${subject.idSql} AND ${la}.param = ${p.add(nearLatitude)}
        AND ${la}.low BETWEEN ${p.add(String(box.latMin))}::numeric AND ${p.add(String(box.latMax))}::numeric${longBox}
        AND ${distanceSql(point, `${la}.low`, `${lo}.low`, p)} <= ${p.add(point.km)}::float8)`;
  });
  return `(${alternatives.join(' OR ')})`;
}

/** ORDER BY term: nearest first to the first point of the first `near` filter (R4 suggests sorting by distance). */
export function nearOrderSql(point: NearPoint, p: SqlParams): string {
  const latitude = `(SELECT s.low FROM sp_number s WHERE s.resource_type = r.resource_type AND s.resource_id = r.id AND s.param = ${p.add(nearLatitude)} LIMIT 1)`;
  const longitude = `(SELECT s.low FROM sp_number s WHERE s.resource_type = r.resource_type AND s.resource_id = r.id AND s.param = ${p.add(nearLongitude)} LIMIT 1)`;
  return `${distanceSql(point, latitude, longitude, p)} ASC NULLS LAST`;
}
