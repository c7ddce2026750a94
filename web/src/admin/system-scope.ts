/** SMART v2 system scopes a person can pick without typing them: read, write or both on all resources, or given types. */
export function systemScope(types: string[], access: 'read' | 'write' | 'both'): string {
  const perms = access === 'read' ? 'rs' : access === 'write' ? 'cud' : 'cruds';
  const list = types.length === 0 ? ['*'] : types;
  return list.map((t) => `system/${t}.${perms}`).join(' ');
}
