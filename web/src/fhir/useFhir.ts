import { useEffect, useMemo, useRef, useState, type DependencyList } from 'react';
import { useAuth } from '../auth/AuthProvider.tsx';
import { createFhirClient, type FhirClient } from './client.ts';

/** A FHIR client that carries the signed-in person's access token. */
export function useFhir(): FhirClient {
  const { accessToken, handleUnauthorized } = useAuth();
  const token = useRef(accessToken);
  token.current = accessToken;
  return useMemo(() => createFhirClient(() => token.current, handleUnauthorized), [handleUnauthorized]);
}

export type AsyncState<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'ready'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: Error };

function sameDeps(a: DependencyList, b: DependencyList): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/**
 * Runs `load` whenever `deps` change; a newer run cancels the older one. `reload()` runs it again.
 * A result is shown only for the deps it was loaded for: never stale data under new filters.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> & { reload(): void } {
  const [generation, setGeneration] = useState(0);
  const current = [...deps, generation];
  const [state, setState] = useState<{ deps: DependencyList; value: AsyncState<T> }>({ deps: [], value: { status: 'loading' } });
  useEffect(() => {
    const controller = new AbortController();
    const runDeps = current;
    load(controller.signal).then(
      (data) => { if (!controller.signal.aborted) setState({ deps: runDeps, value: { status: 'ready', data } }); },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setState({ deps: runDeps, value: { status: 'error', error: error instanceof Error ? error : new Error(String(error)) } });
        }
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, current);
  const value: AsyncState<T> = sameDeps(state.deps, current) ? state.value : { status: 'loading' };
  return { ...value, reload: () => setGeneration((g) => g + 1) };
}
