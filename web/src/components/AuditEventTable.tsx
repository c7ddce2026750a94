import { Badge, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AccessRow } from '../fhir/audit.ts';
import { formatDateTime } from '../fhir/format.ts';

const outcomeColor: Record<string, string> = { '0': 'teal', '4': 'yellow', '8': 'orange', '12': 'red' };

/** Resource types a patient is shown in words; anything else is "other records". */
export const describedResourceTypes = [
  'Patient', 'Observation', 'Encounter', 'Condition', 'MedicationRequest', 'MedicationStatement', 'DiagnosticReport',
  'Immunization', 'AllergyIntolerance', 'Procedure', 'DocumentReference', 'CarePlan', 'ServiceRequest', 'AuditEvent',
] as const;

export function BreakTheGlassBadge() {
  const { t } = useTranslation();
  return (
    <Tooltip label={t('audit.btgExplained')} multiline w={260}>
      <Badge color="red" variant="filled" size="sm" miw="max-content" data-testid="btg-badge">{t('audit.btg')}</Badge>
    </Tooltip>
  );
}

/**
 * Audit events as rows; break-the-glass rows are marked so they stand out. Patients see what was
 * touched in words; auditors see the references themselves. `self` (the signed-in person's fhirUser)
 * turns their own accesses into "You".
 */
export function AuditEventTable({ rows, caption, audience, self }: { rows: AccessRow[]; caption: string; audience: 'patient' | 'auditor'; self?: string }) {
  const { t, i18n } = useTranslation();
  if (rows.length === 0) return <Text c="dimmed" py="lg" ta="center" data-testid="audit-empty">{t('audit.empty')}</Text>;
  const describe = (reference: string) => {
    const type = reference.split('/')[0];
    return (describedResourceTypes as readonly string[]).includes(type) ? t(`resource.${type}`) : t('resource.other');
  };
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table striped highlightOnHover verticalSpacing="sm" data-testid="audit-table">
        <caption style={{ position: 'absolute', left: -10000 }}>{caption}</caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('audit.col.date')}</Table.Th>
            <Table.Th>{t('audit.col.who')}</Table.Th>
            <Table.Th>{t('audit.col.what')}</Table.Th>
            <Table.Th>{t('audit.col.action')}</Table.Th>
            <Table.Th>{t('audit.col.purpose')}</Table.Th>
            <Table.Th>{t('audit.col.outcome')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            // A patient's own Patient entity is only context when something more specific was touched.
            const specific = row.what.filter((w) => !w.startsWith('Patient/'));
            const what = audience === 'patient' ? [...new Set((specific.length ? specific : row.what).map(describe))] : row.what;
            return (
              <Table.Tr key={row.id} data-testid="audit-row" data-btg={row.breakTheGlass ? 'true' : undefined} bg={row.breakTheGlass ? 'red.0' : undefined}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(row.recorded, i18n.language)}</Table.Td>
                <Table.Td>
                  <Stack gap={0}>
                    <Text size="sm" fw={500}>{self && row.whoReference === self ? t('audit.you') : row.who || t('audit.unknownAgent')}</Text>
                    {audience === 'auditor' && row.whoReference && row.whoReference !== row.who && <Text size="xs" c="dimmed">{row.whoReference}</Text>}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Stack gap={0}>
                    {what.map((w) => <Text key={w} size="sm" ff={audience === 'auditor' ? 'monospace' : undefined}>{w}</Text>)}
                  </Stack>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {row.authentication ? t(`audit.authentication.${row.authentication}`)
                    : row.search ? t('audit.searched')
                      : row.action ? t(`audit.action.${row.action}`) : ''}
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="wrap">
                    {row.breakTheGlass && <BreakTheGlassBadge />}
                    {row.purposes.map((p) => (
                      <Text key={`${p.code}|${p.text}`} size="sm">{p.code && i18n.exists(`purpose.${p.code}`) ? t(`purpose.${p.code}`) : p.text}</Text>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {row.outcome && (
                    <Tooltip label={row.outcomeDesc} disabled={!row.outcomeDesc}>
                      <Badge variant="light" tt="none" miw="max-content" color={outcomeColor[row.outcome] ?? 'gray'} data-testid="audit-outcome">
                        {t(`audit.outcome.${row.outcome}`)}
                      </Badge>
                    </Tooltip>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
