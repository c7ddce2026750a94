/** String search is case- and accent-insensitive (FHIR R4 §3.1.1.4.6): "Musabyimana" finds "MUSABYİMANA", "Hélène" finds "helene". */
export function normalizeText(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
