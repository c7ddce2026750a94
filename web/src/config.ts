/**
 * Where the app finds Huza. The app is served by Huza itself under /app/, so the OIDC issuer and the
 * FHIR API are on the page's own origin.
 */
export const huzaOrigin: string = window.location.origin;
export const appBasePath: string = import.meta.env.BASE_URL.replace(/\/$/, ''); // "/app"
export const fhirBase = `${huzaOrigin}/fhir`;

export const oidcClient = {
  authority: huzaOrigin,
  client_id: 'huza-web',
  redirect_uri: `${huzaOrigin}${appBasePath}/callback`,
  post_logout_redirect_uri: `${huzaOrigin}${appBasePath}/`,
  scope: 'openid fhirUser profile offline_access user/*.cruds patient/*.rs',
} as const;

export { timeZone, timeZoneOffset } from './time.ts';
