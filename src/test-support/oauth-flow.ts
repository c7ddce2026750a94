import { createHash, randomBytes } from 'node:crypto';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  patient?: string;
  error?: string;
  error_description?: string;
}

/** The client-credentials grant, as a facility EMR does it (client_secret_basic). */
export async function clientCredentialsToken(origin: string, clientId: string, clientSecret: string, scope: string, extra: Record<string, string> = {}): Promise<{ status: number; body: TokenResponse }> {
  const response = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...extra }),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

/** Follows redirects by hand, keeping cookies, as a browser would. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return response;
  }
}

export interface LoginResult {
  /** The login page's status and HTML when login did not go through. */
  loginStatus?: number;
  loginHtml?: string;
  token?: TokenResponse;
  /** The browser the flow ran in, holding the login session's cookies (to go on, e.g. to sign out). */
  browser?: { go(url: string, init?: RequestInit): Promise<Response> };
}

/**
 * The authorization-code flow with PKCE through Huza's real login page, as a SMART app or the web
 * app runs it: authorize → login form → (consent) → code → token.
 */
export async function loginWithCode(origin: string, options: {
  clientId: string; redirectUri: string; scope: string; username: string; password: string; totp?: string; lang?: string;
}): Promise<LoginResult> {
  const browser = new Browser();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(`${origin}/auth`);
  for (const [k, v] of Object.entries({
    client_id: options.clientId, redirect_uri: options.redirectUri, response_type: 'code', scope: options.scope, state,
    code_challenge: challenge, code_challenge_method: 'S256', aud: `${origin}/fhir`, ...(options.lang ? { ui_locales: options.lang } : {}),
  })) authorize.searchParams.set(k, v);
  let response = await browser.go(authorize.toString());
  let location = response.headers.get('location');
  for (let hops = 0; hops < 10 && location; hops++) {
    const url = new URL(location, origin);
    if (url.toString().startsWith(options.redirectUri)) {
      const code = url.searchParams.get('code');
      if (!code) return { token: { error: url.searchParams.get('error') ?? 'no code', error_description: url.searchParams.get('error_description') ?? '' } as TokenResponse };
      const token = await fetch(`${origin}/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, client_id: options.clientId, code_verifier: verifier }),
      });
      return { token: (await token.json()) as TokenResponse, browser };
    }
    response = await browser.go(url.toString());
    if (response.status === 200 && url.pathname.startsWith('/interaction/')) {
      const html = await response.text();
      const uid = url.pathname.split('/')[2];
      if (html.includes('name="password"')) {
        response = await browser.go(`${origin}/interaction/${uid}/login`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username: options.username, password: options.password, ...(options.totp ? { totp: options.totp } : {}) }),
        });
        if (response.status !== 302 && response.status !== 303) return { loginStatus: response.status, loginHtml: await response.text() };
      } else {
        response = await browser.go(`${origin}/interaction/${uid}/confirm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      }
    }
    location = response.headers.get('location');
  }
  return { loginStatus: response.status, loginHtml: await response.text() };
}
