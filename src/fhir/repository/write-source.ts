import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which system a write comes from, for domains whose rules depend on it (the client registry lets a
 * source assign identifiers only in the identity domains it owns). The pipeline sets the
 * authenticated client; an IHE message sets the source its MessageHeader names.
 */
export const writeSource = new AsyncLocalStorage<string>();

export function currentWriteSource(): string | undefined {
  return writeSource.getStore();
}
