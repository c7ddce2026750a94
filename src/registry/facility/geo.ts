import { RWANDA_BOUNDS } from '../../seed/data/rwanda.ts';

export const earthRadiusKm = 6371.0088;

/** Great-circle distance in km (haversine: accurate to well under a metre at a country's scale). */
export function distanceKm(lat1: number, long1: number, lat2: number, long2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLong = (long2 - long1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLong / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Why a coordinate pair cannot be a place in Rwanda (or on Earth), or undefined when it can. */
export function coordinateProblem(latitude: unknown, longitude: unknown, inRwanda: boolean): string | undefined {
  if (typeof latitude !== 'number' || !Number.isFinite(latitude)) return 'latitude must be a number';
  if (typeof longitude !== 'number' || !Number.isFinite(longitude)) return 'longitude must be a number';
  if (latitude < -90 || latitude > 90) return `latitude ${latitude} is outside -90..90`;
  if (longitude < -180 || longitude > 180) return `longitude ${longitude} is outside -180..180`;
  if (inRwanda) {
    const b = RWANDA_BOUNDS;
    if (latitude < b.latMin || latitude > b.latMax || longitude < b.longMin || longitude > b.longMax) {
      // The usual mistake is latitude and longitude swapped, or the sign of the latitude lost.
      const hint = longitude >= b.latMin && longitude <= b.latMax && latitude >= b.longMin && latitude <= b.longMax
        ? ' (latitude and longitude look swapped)'
        : latitude > 0 && -latitude >= b.latMin && -latitude <= b.latMax ? ' (Rwanda is south of the equator: latitude is negative)' : '';
      return `${latitude}, ${longitude} is outside Rwanda (latitude ${b.latMin}..${b.latMax}, longitude ${b.longMin}..${b.longMax})${hint}`;
    }
  }
  return undefined;
}
