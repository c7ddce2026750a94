import { useState, type FormEvent } from 'react';

/** A search form: what is being typed (`form`) and what was last submitted (`search`). */
export function useSearchForm<S extends object>() {
  const [form, setForm] = useState<S>({} as S);
  const [search, setSearch] = useState<S>({} as S);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch(form);
  };
  return { form, setForm, search, submit };
}

/**
 * The URL to load for a search: its first page, or the page followed by its Bundle links while the
 * query stays the same (a new query starts again from its first page).
 */
export function usePagedQuery(query: string): [url: string, onPage: (url: string) => void] {
  const [page, setPage] = useState<{ query: string; url: string }>();
  return [page?.query === query ? page.url : query, (url) => setPage({ query, url })];
}
