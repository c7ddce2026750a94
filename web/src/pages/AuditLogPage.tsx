import { Button, Card, Group, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useAuth } from '../auth/AuthProvider.tsx';
import { AuditEventTable } from '../components/AuditEventTable.tsx';
import { AsyncView } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { Pager } from '../components/Pager.tsx';
import { auditActions, auditOutcomes, auditQuery, filterNames, toAccessRow, type AuditFilters } from '../fhir/audit.ts';
import { link, matches, type AuditEvent, type Bundle } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';

/** The audit log for auditors: every recorded access, filtered and paged. Filters live in the URL. */
export function AuditLogPage() {
  const { t } = useTranslation();
  const fhir = useFhir();
  const { user } = useAuth();
  const [params, setParams] = useSearchParams();
  const applied = Object.fromEntries(filterNames.map((n) => [n, params.get(n) ?? ''])) as unknown as AuditFilters;
  const [draft, setDraft] = useState<AuditFilters>(applied);
  // Back/forward (or a pasted link) changes the URL: the form follows it. Not after the form's own
  // Apply or Clear: the form already shows those filters, and what was typed since must stay.
  const paramsKey = params.toString();
  const applying = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (paramsKey === applying.current) {
      applying.current = undefined;
      return;
    }
    setDraft(Object.fromEntries(filterNames.map((n) => [n, new URLSearchParams(paramsKey).get(n) ?? ''])) as unknown as AuditFilters);
  }, [paramsKey]);
  const query = auditQuery(applied);
  const [page, setPage] = useState<{ query: string; url: string }>();
  const url = page?.query === query ? page.url : query;
  const list = useAsync((signal) => fhir.request<Bundle>(url, { signal }), [fhir, url]);

  const apply = (filters: AuditFilters) => {
    const next = new URLSearchParams();
    for (const n of filterNames) if (filters[n].trim()) next.set(n, filters[n].trim());
    // Applying filters is a new search from its first page, never a page remembered from an older one.
    setPage(undefined);
    applying.current = next.toString();
    setParams(next);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const clear = () => {
    const empty: AuditFilters = { from: '', to: '', agent: '', patient: '', action: '', outcome: '' };
    setDraft(empty);
    apply(empty);
  };
  const field = (name: keyof AuditFilters) => ({
    value: draft[name],
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setDraft((d) => ({ ...d, [name]: value }));
    },
  });

  return (
    <>
      <PageHeader title={t('page.audit-log.title')} description={t('page.audit-log.description')} />
      <Stack gap="lg">
        <Card withBorder padding="lg" component="form" onSubmit={onSubmit} aria-label={t('auditLog.filters')} data-testid="audit-filters">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
            <TextInput type="date" label={t('auditLog.from')} {...field('from')} />
            <TextInput type="date" label={t('auditLog.to')} {...field('to')} />
            <TextInput label={t('auditLog.agent')} placeholder="Practitioner/…" {...field('agent')} />
            <TextInput label={t('auditLog.patient')} placeholder="Patient/…" {...field('patient')} />
            <NativeSelect
              label={t('auditLog.action')}
              {...field('action')}
              data={[{ value: '', label: t('common.any') }, ...auditActions.map((a) => ({ value: a, label: t(`audit.action.${a}`) }))]}
            />
            <NativeSelect
              label={t('auditLog.outcome')}
              {...field('outcome')}
              data={[{ value: '', label: t('common.any') }, ...auditOutcomes.map((o) => ({ value: o, label: t(`audit.outcome.${o}`) }))]}
            />
          </SimpleGrid>
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={clear}>{t('common.clear')}</Button>
            <Button type="submit">{t('common.apply')}</Button>
          </Group>
        </Card>
        <Card withBorder padding="lg">
          <AsyncView state={list} onRetry={list.reload}>
            {(bundle) => (
              <>
                <AuditEventTable rows={matches<AuditEvent>(bundle, 'AuditEvent').map(toAccessRow)} caption={t('page.audit-log.title')} audience="auditor" self={user?.fhirUser} />
                <Pager
                  previous={link(bundle, 'previous')}
                  next={link(bundle, 'next')}
                  onPage={(u) => setPage({ query, url: u })}
                  summary={bundle.total !== undefined ? t('audit.total', { count: bundle.total }) : undefined}
                />
              </>
            )}
          </AsyncView>
        </Card>
      </Stack>
    </>
  );
}
