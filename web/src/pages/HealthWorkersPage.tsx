import { Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { AsyncView } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { Pager } from '../components/Pager.tsx';
import { conceptText, displayName } from '../fhir/format.ts';
import { licenceFromBasic, licenceStatusColor, type Licence, type LicenceStatus } from '../fhir/licences.ts';
import { link, matches, type Basic, type Bundle, type CodeableConcept, type ContactPoint, type Practitioner, type Reference, type Resource } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';
import { usePagedQuery, useSearchForm } from '../fhir/useSearch.ts';
import { cadreGroups, cadreSystem, formatAvailability, healthWorkerQuery, weekDays, type AvailableTime, type HealthWorkerSearch } from '../fhir/workforce.ts';

interface PractitionerRole extends Resource {
  resourceType: 'PractitionerRole';
  active?: boolean;
  period?: { end?: string };
  practitioner?: Reference;
  location?: Reference[];
  code?: CodeableConcept[];
  specialty?: CodeableConcept[];
  telecom?: ContactPoint[];
  availableTime?: AvailableTime[];
}
interface Location extends Resource { resourceType: 'Location'; name?: string }

/** A practitioner licence past its end date is expired whatever its stored status says. */
function shownStatus(licence: Licence): LicenceStatus | undefined {
  const today = new Date().toISOString().slice(0, 10);
  return licence.status === 'active' && licence.period?.end && licence.period.end < today ? 'expired' : licence.status;
}

/** The cadre as the cadre code system names it, else whatever the role says. */
function cadreText(role: PractitionerRole): string {
  const coded = role.code?.flatMap((c) => c.coding ?? []).find((c) => c.system === cadreSystem);
  return coded?.display ?? coded?.code ?? conceptText(role.code?.[0]);
}

/** The health worker registry: who works where, in which cadre, when. */
export function HealthWorkersPage() {
  const { t } = useTranslation();
  const fhir = useFhir();
  const { form, setForm, search, submit } = useSearchForm<HealthWorkerSearch>();
  const [url, onPage] = usePagedQuery(healthWorkerQuery(search));
  const list = useAsync((signal) => fhir.request<Bundle>(url, { signal }), [fhir, url]);
  const dayNames = Object.fromEntries(weekDays.map((d) => [d, t(`day.${d}`)]));

  return (
    <>
      <PageHeader title={t('page.health-workers.title')} description={t('page.health-workers.description')} />
      <Card withBorder padding="lg">
        <form onSubmit={submit} data-testid="health-worker-search">
          <Group align="flex-end" gap="md" mb="md" wrap="wrap">
            <TextInput label={t('healthWorkers.name')} value={form.name ?? ''} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} w={220} />
            <Select
              label={t('healthWorkers.cadre')}
              placeholder={t('healthWorkers.anyCadre')}
              clearable
              data={Object.keys(cadreGroups).map((c) => ({ value: c, label: t(`cadre.${c}`) }))}
              value={form.cadre ?? null}
              onChange={(v) => setForm({ ...form, cadre: v ?? undefined })}
              w={240}
            />
            <TextInput label={t('healthWorkers.facility')} value={form.facility ?? ''} onChange={(e) => setForm({ ...form, facility: e.currentTarget.value })} w={240} />
            <Button type="submit">{t('healthWorkers.search')}</Button>
          </Group>
        </form>
        <AsyncView state={list} onRetry={list.reload}>
          {(bundle) => {
            const roles = matches<PractitionerRole>(bundle, 'PractitionerRole');
            const included = new Map((bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r).map((r) => [`${r.resourceType}/${r.id}`, r]));
            const licences = new Map([...included.values()].filter((r): r is Basic => r.resourceType === 'Basic').map(licenceFromBasic).filter((l) => l.kind === 'practitioner-licence' && l.holder?.reference)
              .map((l) => [l.holder?.reference as string, l]));
            if (roles.length === 0) return <Text c="dimmed" ta="center" py="lg" data-testid="health-worker-empty">{t('healthWorkers.empty')}</Text>;
            return (
              <>
                <Table.ScrollContainer minWidth={860}>
                  <Table striped highlightOnHover verticalSpacing="sm" data-testid="health-worker-table">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('healthWorkers.col.name')}</Table.Th>
                        <Table.Th>{t('healthWorkers.col.cadre')}</Table.Th>
                        <Table.Th>{t('healthWorkers.col.facility')}</Table.Th>
                        <Table.Th>{t('healthWorkers.col.licence')}</Table.Th>
                        <Table.Th>{t('healthWorkers.col.availability')}</Table.Th>
                        <Table.Th>{t('healthWorkers.col.contact')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {roles.map((role) => {
                        const who = included.get(role.practitioner?.reference ?? '') as Practitioner | undefined;
                        const licence = licences.get(role.practitioner?.reference ?? '');
                        const status = licence && shownStatus(licence);
                        const ended = role.active === false || (!!role.period?.end && role.period.end < new Date().toISOString().slice(0, 10));
                        return (
                          <Table.Tr key={role.id} data-testid="health-worker-row">
                            <Table.Td>
                              <Text size="sm" fw={500}>{who ? displayName(who.name) : role.practitioner?.display}</Text>
                              {ended && <Badge color="gray" variant="light" size="sm">{t('healthWorkers.inactive')}</Badge>}
                            </Table.Td>
                            <Table.Td>
                              <Text size="sm">{cadreText(role)}</Text>
                              {role.specialty?.map((s, i) => <Text key={i} size="xs" c="dimmed">{conceptText(s)}</Text>)}
                            </Table.Td>
                            <Table.Td>
                              {(role.location ?? []).map((l, i) => (
                                <Text key={i} size="sm">{(included.get(l.reference ?? '') as Location | undefined)?.name ?? l.display ?? l.reference}</Text>
                              ))}
                            </Table.Td>
                            <Table.Td data-testid="health-worker-licence">
                              {licence && <Text size="sm" ff="monospace">{licence.number}</Text>}
                              {status && <Badge color={licenceStatusColor[status]} variant="light" size="sm">{t(`licences.status.${status}`)}</Badge>}
                            </Table.Td>
                            <Table.Td>
                              <Stack gap={0}>{formatAvailability(role.availableTime, dayNames).map((a, i) => <Text key={i} size="sm">{a}</Text>)}</Stack>
                            </Table.Td>
                            <Table.Td>
                              {(role.telecom ?? []).map((c, i) => <Text key={i} size="sm" ff="monospace">{c.value}</Text>)}
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Pager
                  previous={link(bundle, 'previous')}
                  next={link(bundle, 'next')}
                  onPage={onPage}
                  summary={bundle.total !== undefined ? t('healthWorkers.found', { count: bundle.total }) : undefined}
                />
              </>
            );
          }}
        </AsyncView>
      </Card>
    </>
  );
}
