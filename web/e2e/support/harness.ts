/**
 * The browser tests' harness: a Huza server (started by a pluggable `startServer`), Debian's
 * Chromium driven by playwright-core, and helpers to log in and out as the fixture's accounts.
 */
import assert from 'node:assert/strict';
import { access, constants } from 'node:fs/promises';
import { after, afterEach, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildFixture, type AccountKey, type E2eAccount, type E2eFixture } from './fixture.ts';

/** A running Huza server the browser can reach. */
export interface HuzaUnderTest {
  /**
   * The server's origin, e.g. `http://127.0.0.1:PORT`. On it: `/app/` serves web/dist/ (index.html
   * for every path under /app/ that is not a file), the OIDC issuer (discovery at
   * `/.well-known/openid-configuration`, client `huza-web` registered with redirect
   * `${origin}/app/callback` and post-logout redirect `${origin}/app/`), and the FHIR API at `/fhir`.
   */
  origin: string;
  /**
   * Fills in the server's own login page, which the browser is on when this is called, as `account`.
   * Optional: the default fills `input[name=username]` and `input[name=password]` and submits the form.
   */
  login?(page: Page, account: E2eAccount): Promise<void>;
  /** Stops the server and releases what it holds. */
  close(): Promise<void>;
}

/**
 * Starts a server holding `fixture`: its accounts (username, password, name, fhirUser, roles,
 * facilities as the ID token's claims) and its resources (with their ids).
 */
export type StartServer = (fixture: E2eFixture) => Promise<HuzaUnderTest>;

export const chromiumPath = process.env.HUZA_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  await access(chromiumPath, constants.X_OK).catch(() => {
    throw new Error(`Chromium is not at ${chromiumPath}: run web/e2e/ensure-chromium.sh (apt-get install chromium)`);
  });
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

export interface Huza {
  fixture: E2eFixture;
  server: HuzaUnderTest;
  browser: Browser;
  /** An isolated browser (own storage) with one page, closed after the test. */
  newPage(): Promise<Page>;
  /** Logs in through the app's "Log in" button and the server's login page; resolves in the workspace. */
  login(page: Page, who: AccountKey): Promise<void>;
  logout(page: Page): Promise<void>;
  app(path?: string): string;
  screenshot(page: Page, name: string): Promise<string>;
}

/** The access token the app holds (oidc-client-ts keeps the session in sessionStorage), if any. */
export async function appAccessToken(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    return key ? (JSON.parse(sessionStorage.getItem(key) ?? '{}') as { access_token?: string }).access_token : undefined;
  });
}

export async function defaultLogin(page: Page, account: E2eAccount): Promise<void> {
  await page.locator('input[name="username"]').fill(account.username);
  await page.locator('input[name="password"]').fill(account.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname.startsWith('/app/'), { timeout: 20_000 }),
    page.locator('input[name="password"]').press('Enter'),
  ]);
}

/**
 * Registers before/after hooks on the current test file: one server and one Chromium for the file,
 * a fresh browser context per page. Uncaught errors in the page fail the test that caused them.
 */
export function useHuza(startServer: StartServer): Huza {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const huza = {} as Huza;

  before(async () => {
    huza.fixture = buildFixture();
    huza.server = await startServer(huza.fixture);
    huza.browser = await launchChromium();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    const errors = pageErrors.splice(0);
    assert.deepEqual(errors, [], 'uncaught errors in the page');
  });

  after(async () => {
    await huza.browser?.close();
    await huza.server?.close();
  });

  huza.app = (path = '') => `${huza.server.origin}/app/${path.replace(/^\//, '')}`;

  huza.newPage = async () => {
    const context = await huza.browser.newContext({
      viewport: { width: 1360, height: 900 },
      locale: 'en-GB',
      timezoneId: 'Africa/Kigali',
    });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
    // HUZA_E2E_TRACE=1: every server call (not the app's own files) with its status and time.
    if (process.env.HUZA_E2E_TRACE) {
      page.on('requestfinished', async (request) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith('/app/')) return;
        const response = await request.response();
        const ms = Math.round(request.timing().responseEnd);
        console.error(`  ${request.method()} ${url.pathname}${url.search.slice(0, 100)} → ${response?.status()} ${ms} ms`);
      });
    }
    return page;
  };

  huza.login = async (page, who) => {
    const account = huza.fixture.accounts[who];
    if (!page.url().startsWith(huza.app())) await page.goto(huza.app());
    await page.getByTestId('login-button').click();
    await page.waitForURL((url) => !url.pathname.startsWith('/app/'));
    await (huza.server.login ?? defaultLogin)(page, account);
    await page.waitForURL((url) => url.pathname.startsWith('/app/w/'), { timeout: 20_000 });
  };

  huza.logout = async (page) => {
    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    // oidc-provider asks "Do you want to sign out?" unless the server skips it for first-party apps.
    const confirm = page.locator('button[name="logout"][value="yes"]');
    await page.waitForURL((url) => url.pathname === '/app/' || url.pathname.startsWith('/session/end'), { timeout: 20_000 });
    if (!page.url().startsWith(huza.app())) {
      await confirm.click();
      await page.waitForURL((url) => url.pathname === '/app/', { timeout: 20_000 });
    }
  };

  huza.screenshot = async (page, name) => {
    const path = `/tmp/huza-web-${name}.png`;
    await page.screenshot({ path, fullPage: true });
    return path;
  };

  return huza;
}
