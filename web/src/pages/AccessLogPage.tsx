import { Alert, Card, Stack } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthProvider.tsx';
import { AccessChart } from '../components/AccessChart.tsx';
import { AuditEventTable } from '../components/AuditEventTable.tsx';
import { AsyncView } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { Pager } from '../components/Pager.tsx';
import { accessesPerWeek, toAccessRow, windowStart } from '../fhir/audit.ts';
import type { FhirClient } from '../fhir/client.ts';
import { link, matches, type AuditEvent, type Bundle } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';

const chartWeeks = 12;
const chartPageLimit = 20;

/** Every access in the chart's window, page by page (bounded). */
async function accessesInWindow(fhir: FhirClient, patient: string, now: Date, signal: AbortSignal) {
  const events: AuditEvent[] = [];
  let url: string | undefined = `AuditEvent?patient=${encodeURIComponent(patient)}&date=ge${encodeURIComponent(windowStart(now, chartWeeks))}&_sort=-date&_count=200`;
  let pages = 0;
  while (url && pages < chartPageLimit) {
    const bundle: Bundle = await fhir.request<Bundle>(url, { signal });
    events.push(...matches<AuditEvent>(bundle, 'AuditEvent'));
    url = link(bundle, 'next');
    pages++;
  }
  return { weeks: accessesPerWeek(events.map(toAccessRow), now, chartWeeks), truncated: Boolean(url) };
}

/** "Who accessed my record": every recorded access to the signed-in patient's record. */
export function AccessLogPage() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const fhir = useFhir();
  const patient = user?.fhirUser?.startsWith('Patient/') ? user.fhirUser : undefined;
  const firstPage = patient ? `AuditEvent?patient=${encodeURIComponent(patient)}&_sort=-date&_count=50` : '';
  const [pageUrl, setPageUrl] = useState(firstPage);

  const chart = useAsync((signal) => (patient ? accessesInWindow(fhir, patient, new Date(), signal) : Promise.reject(new Error('no patient'))), [fhir, patient]);
  const list = useAsync((signal) => (pageUrl ? fhir.request<Bundle>(pageUrl, { signal }) : Promise.reject(new Error('no patient'))), [fhir, pageUrl]);

  return (
    <>
      <PageHeader title={t('page.access-log.title')} description={t('page.access-log.description')} />
      {!patient ? (
        <Alert color="yellow" variant="light">{t('accessLog.noPatient')}</Alert>
      ) : (
        <Stack gap="lg">
          <AsyncView state={chart} onRetry={chart.reload}>
            {(c) => <AccessChart weeks={c.weeks} truncated={c.truncated} />}
          </AsyncView>
          <Card withBorder padding="lg">
            <AsyncView state={list} onRetry={list.reload}>
              {(bundle) => {
                const rows = matches<AuditEvent>(bundle, 'AuditEvent').map(toAccessRow);
                return (
                  <>
                    <AuditEventTable rows={rows} caption={t('page.access-log.title')} audience="patient" self={patient} />
                    <Pager
                      previous={link(bundle, 'previous')}
                      next={link(bundle, 'next')}
                      onPage={setPageUrl}
                      summary={bundle.total !== undefined ? t('audit.total', { count: bundle.total }) : undefined}
                    />
                  </>
                );
              }}
            </AsyncView>
          </Card>
        </Stack>
      )}
    </>
  );
}
