import { translate, type Language, type MessageKey } from '../../i18n/translate.ts';
import { parseResourceScope } from '../access/smart-scopes.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(language: Language, title: string, body: string): string {
  const switcher = (['en', 'fr', 'rw'] as const).map((l) => (l === language ? `<strong>${l.toUpperCase()}</strong>` : `<a href="?lang=${l}">${l.toUpperCase()}</a>`)).join(' · ');
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>
body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);width:min(360px,90vw)}
h1{font-size:1.3rem;margin:0 0 1rem;color:#0b5394}label{display:block;margin:.8rem 0 .3rem;font-size:.9rem}
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #ccd;border-radius:6px;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.7rem;border:0;border-radius:6px;background:#0b5394;color:#fff;font-size:1rem;cursor:pointer}
button.secondary{background:#e6e9ee;color:#333}.error{background:#fdecea;color:#8a1c1c;padding:.6rem;border-radius:6px}
nav{text-align:right;font-size:.85rem;margin-bottom:.5rem}ul{padding-left:1.2rem}</style></head>
<body><main><nav aria-label="${escape(translate(language, 'language.label'))}">${switcher}</nav>${body}</main></body></html>`;
}

export function loginPage(language: Language, uid: string, error?: { key: MessageKey; values?: Record<string, string> }, askTotp = false, username = ''): string {
  const t = (key: MessageKey, values?: Record<string, string>) => escape(translate(language, key, values));
  return page(language, translate(language, 'login.title'), `<h1>${t('login.title')}</h1>
${error ? `<p class="error" role="alert">${t(error.key, error.values)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<input type="hidden" name="lang" value="${language}">
<label for="username">${t('login.username')}</label><input id="username" name="username" value="${escape(username)}" required autofocus>
<label for="password">${t('login.password')}</label><input id="password" name="password" type="password" required>
${askTotp ? `<label for="totp">${t('login.totp')}</label><input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code">` : ''}
<button type="submit">${t('login.submit')}</button></form>`);
}

export function consentPage(language: Language, uid: string, clientName: string, scopes: string[]): string {
  const t = (key: MessageKey, values?: Record<string, string>) => escape(translate(language, key, values));
  const items = scopes.map((s) => `<li>${escape(describeScope(language, s))}</li>`).join('');
  return page(language, translate(language, 'consent.title', { client: clientName }), `<h1>${t('consent.title', { client: clientName })}</h1>
<p>${t('consent.intro', { client: clientName })}</p><ul>${items}</ul>
<form method="post" action="/interaction/${escape(uid)}/confirm"><input type="hidden" name="lang" value="${language}"><button type="submit">${t('consent.allow')}</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><input type="hidden" name="lang" value="${language}"><button class="secondary" type="submit">${t('consent.deny')}</button></form>`);
}

/**
 * The end-session confirmation. oidc-provider hands over its form (the XSRF token in a hidden input,
 * id op.logoutForm); the buttons submit it with logout=yes, or without to stay signed in.
 */
export function logoutPage(language: Language, form: string): string {
  const t = (key: MessageKey) => escape(translate(language, key));
  return page(language, translate(language, 'logout.title'), `<h1>${t('logout.title')}</h1>${form}
<p>${t('logout.question')}</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>${t('logout.yes')}</button>
<button type="submit" form="op.logoutForm" class="secondary">${t('logout.no')}</button>`);
}

export function loggedOutPage(language: Language): string {
  const t = (key: MessageKey) => escape(translate(language, key));
  return page(language, translate(language, 'loggedOut.title'), `<h1>${t('loggedOut.title')}</h1><p>${t('loggedOut.body')}</p>`);
}

function describeScope(language: Language, scope: string): string {
  const resource = parseResourceScope(scope);
  if (!resource) {
    const key = `scope.${scope}` as MessageKey;
    return translate(language, key) || scope;
  }
  const type = resource.type === '*' ? translate(language, 'scope.all') : resource.type;
  const writes = ['c', 'u', 'd'].some((p) => resource.permissions.has(p as 'c'));
  return translate(language, writes ? 'scope.write' : 'scope.read', { type });
}
