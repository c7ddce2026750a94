import { Alert, Avatar, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthProvider.tsx';
import { AsyncView } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { initials } from '../components/UserMenu.tsx';
import { conceptText, displayName, formatAddress, formatDate, formatPeriod, referenceText } from '../fhir/format.ts';
import type { Identifier, Organization, Patient, Practitioner } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';

const identifierSystems: Record<string, string> = {
  'https://moh.gov.rw/fhir/id/national-id': 'identifier.nationalId',
  'https://moh.gov.rw/fhir/id/practitioner-licence': 'identifier.practitionerLicence',
  'https://moh.gov.rw/fhir/id/cbhi': 'identifier.cbhi',
  'https://moh.gov.rw/fhir/id/facility': 'identifier.facility',
};

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Card withBorder padding="lg" data-testid={testId}>
      <Title order={2} fz="lg" mb="sm">{title}</Title>
      {children}
    </Card>
  );
}

function Empty() {
  const { t } = useTranslation();
  return <Text c="dimmed" size="sm">{t('common.none')}</Text>;
}

export function ProfilePage() {
  const { t, i18n } = useTranslation();
  const { user } = useAuth();
  const fhir = useFhir();
  const fhirUser = user?.fhirUser;
  const facilityIds = user?.facilities ?? [];

  const person = useAsync(
    (signal) => (fhirUser ? fhir.request<Practitioner | Patient>(fhirUser, { signal }) : Promise.resolve(undefined)),
    [fhir, fhirUser],
  );
  const facilities = useAsync(
    (signal) => Promise.all(facilityIds.map((id) =>
      fhir.request<Organization>(`Organization/${encodeURIComponent(id)}`, { signal }).catch((): Organization => ({ resourceType: 'Organization', id })))),
    [fhir, facilityIds.join(' ')],
  );
  if (!user) return null;

  const identifierLabel = (identifier: Identifier) => {
    const key = identifier.system ? identifierSystems[identifier.system] : undefined;
    return key ? t(key) : conceptText(identifier.type) || identifier.system || t('identifier.other');
  };

  return (
    <>
      <PageHeader title={t('page.profile.title')} description={t('page.profile.description')} />
      <AsyncView state={person} onRetry={person.reload}>
        {(resource) => {
          const name = displayName(resource?.name) || user.name;
          return (
            <Stack gap="lg">
              <Card withBorder padding="lg">
                <Group gap="lg" wrap="nowrap" align="flex-start">
                  <Avatar color="huza" radius="xl" size={72}>{initials(name)}</Avatar>
                  <Stack gap={6}>
                    <Title order={2} data-testid="profile-name">{name}</Title>
                    {user.username && <Text c="dimmed" size="sm">{t('profile.username', { username: user.username })}</Text>}
                    <Group gap={6}>
                      {user.roles.map((role) => <Badge key={role} variant="light">{t(`role.${role}`)}</Badge>)}
                    </Group>
                    {resource && (resource.gender || resource.birthDate) && (
                      <Text size="sm">
                        {[resource.gender ? t(`gender.${resource.gender}`) : '', resource.birthDate ? t('profile.born', { date: formatDate(resource.birthDate, i18n.language) }) : '']
                          .filter(Boolean).join(' · ')}
                      </Text>
                    )}
                  </Stack>
                </Group>
              </Card>
              {!resource && <Alert color="gray" variant="light">{t('profile.noRecord')}</Alert>}
              {resource && (
                <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
                  <Section title={t('profile.identifiers')} testId="profile-identifiers">
                    {resource.identifier?.length ? (
                      <Table>
                        <Table.Tbody>
                          {resource.identifier.map((identifier, i) => (
                            <Table.Tr key={i}>
                              <Table.Th w="45%" fw={500} c="dimmed">{identifierLabel(identifier)}</Table.Th>
                              <Table.Td ff="monospace">{identifier.value}</Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    ) : <Empty />}
                  </Section>
                  {resource.resourceType === 'Practitioner' && (
                    <Section title={t('profile.qualifications')} testId="profile-qualifications">
                      {resource.qualification?.length ? (
                        <Stack gap="sm">
                          {resource.qualification.map((q, i) => (
                            <Stack key={i} gap={2}>
                              <Text fw={600}>{conceptText(q.code)}</Text>
                              {q.identifier?.map((id, j) => <Text key={j} size="sm">{t('profile.licenceNumber', { number: id.value })}</Text>)}
                              {q.issuer && <Text size="sm" c="dimmed">{t('profile.issuedBy', { issuer: referenceText(q.issuer) })}</Text>}
                              {q.period && <Text size="sm" c="dimmed">{t('profile.valid', { period: formatPeriod(q.period, i18n.language) })}</Text>}
                            </Stack>
                          ))}
                        </Stack>
                      ) : <Empty />}
                    </Section>
                  )}
                  <Section title={t('profile.contact')} testId="profile-contact">
                    {resource.telecom?.length ? (
                      <Table>
                        <Table.Tbody>
                          {resource.telecom.map((c, i) => (
                            <Table.Tr key={i}>
                              <Table.Th w="45%" fw={500} c="dimmed">{t(`telecom.${c.system ?? 'other'}`, { defaultValue: c.system ?? '' })}</Table.Th>
                              <Table.Td>{c.value}</Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    ) : <Empty />}
                  </Section>
                  <Section title={t('profile.address')} testId="profile-address">
                    {resource.address?.length ? (
                      <Stack gap={4}>{resource.address.map((a, i) => <Text key={i}>{formatAddress(a)}</Text>)}</Stack>
                    ) : <Empty />}
                  </Section>
                </SimpleGrid>
              )}
              {facilityIds.length > 0 && (
                <Section title={t('profile.facilities')} testId="profile-facilities">
                  <AsyncView state={facilities}>
                    {(orgs) => <Stack gap={4}>{orgs.map((o) => <Text key={o.id}>{o.name ?? `Organization/${o.id}`}</Text>)}</Stack>}
                  </AsyncView>
                </Section>
              )}
            </Stack>
          );
        }}
      </AsyncView>
    </>
  );
}
