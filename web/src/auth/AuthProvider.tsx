import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import i18n from 'i18next';
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { oidcClient } from '../config.ts';
import { huzaUserFromClaims, type HuzaUser } from './claims.ts';

export type AuthStatus = 'loading' | 'anonymous' | 'authenticated';

interface AuthContextValue {
  status: AuthStatus;
  user?: HuzaUser;
  /** The current access token for the FHIR API. */
  accessToken?: string;
  login(returnTo?: string): Promise<void>;
  logout(): Promise<void>;
  /** Finishes the authorization-code exchange on /app/callback; returns where to go next. */
  completeLogin(): Promise<string>;
  /** Called when the API answered 401: tries a silent renewal, else ends the session locally. */
  handleUnauthorized(): Promise<string | undefined>;
}

const AuthContext = createContext<AuthContextValue | undefined>(undefined);

// Authorization code with PKCE (oidc-client-ts always uses S256). Tokens live in sessionStorage:
// they survive a reload of the tab but not the browser closing. Claims come from the ID token
// (the access token is for the FHIR API, not for userinfo). Renewal before the access token
// expires: with the refresh token when one was granted, else `prompt=none` in a hidden iframe on
// the same callback URL (the server's session is same-origin), so no extra redirect URI is needed.
export const userManager = new UserManager({
  ...oidcClient,
  silent_redirect_uri: oidcClient.redirect_uri,
  response_type: 'code',
  loadUserInfo: false,
  automaticSilentRenew: true,
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

// React's strict mode runs effects twice in development; a code can be exchanged only once.
let callbackInFlight: Promise<User> | undefined;

function usable(user: User | null): user is User {
  return user !== null && !user.expired && Boolean(user.access_token);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>('loading');
  const [oidcUser, setOidcUser] = useState<User | undefined>();

  useEffect(() => {
    let cancelled = false;
    const accept = (user: User | null) => {
      if (cancelled) return;
      setOidcUser(usable(user) ? user : undefined);
      setStatus(usable(user) ? 'authenticated' : 'anonymous');
    };
    (async () => {
      const stored = await userManager.getUser();
      if (stored && stored.expired) {
        try {
          return accept(await userManager.signinSilent());
        } catch {
          await userManager.removeUser();
          return accept(null);
        }
      }
      accept(stored);
    })().catch(() => accept(null));
    const onLoaded = (user: User) => accept(user);
    const onUnloaded = () => accept(null);
    userManager.events.addUserLoaded(onLoaded);
    userManager.events.addUserUnloaded(onUnloaded);
    return () => {
      cancelled = true;
      userManager.events.removeUserLoaded(onLoaded);
      userManager.events.removeUserUnloaded(onUnloaded);
    };
  }, []);

  const login = useCallback(async (returnTo?: string) => {
    // OIDC `ui_locales`: Huza's login page speaks the language chosen in the app.
    await userManager.signinRedirect({ state: { returnTo: returnTo ?? '/' }, ui_locales: i18n.language });
  }, []);

  const logout = useCallback(async () => {
    const user = await userManager.getUser();
    await userManager.signoutRedirect({ id_token_hint: user?.id_token, extraQueryParams: { ui_locales: i18n.language } });
  }, []);

  const completeLogin = useCallback(async () => {
    callbackInFlight ??= userManager.signinRedirectCallback();
    const user = await callbackInFlight;
    const state = user.state as { returnTo?: unknown } | undefined;
    const returnTo = typeof state?.returnTo === 'string' && state.returnTo.startsWith('/') && !state.returnTo.startsWith('//') ? state.returnTo : '/';
    return returnTo;
  }, []);

  const handleUnauthorized = useCallback(async () => {
    try {
      const renewed = await userManager.signinSilent();
      if (renewed?.access_token) return renewed.access_token;
    } catch {
      // fall through: the session at the server is over too
    }
    await userManager.removeUser();
    return undefined;
  }, []);

  const value = useMemo<AuthContextValue>(() => ({
    status,
    user: oidcUser ? huzaUserFromClaims(oidcUser.profile as Record<string, unknown>) : undefined,
    accessToken: oidcUser?.access_token,
    login,
    logout,
    completeLogin,
    handleUnauthorized,
  }), [status, oidcUser, login, logout, completeLogin, handleUnauthorized]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside <AuthProvider>');
  return value;
}
