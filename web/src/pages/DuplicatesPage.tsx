import { Alert, Badge, Box, Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AsyncView, ErrorAlert } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { formatDateTime } from '../fhir/format.ts';
import { comparisonRows, decisionsFrom, patientLabel, reviewsFrom, type Agreement, type Parameters, type Review } from '../fhir/registry.ts';
import { matches, type Bundle, type Patient } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';
import { MatchModelPanel } from './MatchModelPanel.tsx';

const agreementColor: Record<Agreement, string> = { agree: 'teal', partial: 'yellow', disagree: 'red', missing: 'gray' };

/**
 * The data steward's review queue: pairs of records the client registry thinks may be one person.
 * Side by side, with the fields that agreed and disagreed and what each weighed; the steward links
 * them or says they are different people. Every decision is kept (and reversible) by the registry.
 * Below it, the match model those weights come from, which the steward re-estimates and adopts.
 */
export function DuplicatesPage() {
  const { t } = useTranslation();
  const fhir = useFhir();
  const queue = useAsync(async (signal) => {
    const reviews = reviewsFrom(await fhir.request<Parameters>('Patient/$cr-reviews?_count=50', { signal }));
    const ids = [...new Set(reviews.flatMap((r) => [r.source, r.candidate]))];
    const patients = ids.length === 0 ? [] : matches<Patient>(await fhir.request<Bundle>(`Patient?_id=${ids.join(',')}&_count=${ids.length}`, { signal }), 'Patient');
    return { reviews, patients: new Map(patients.map((p) => [p.id as string, p])) };
  }, [fhir]);
  const [selected, setSelected] = useState<string>();
  const [notice, setNotice] = useState<string>();

  return (
    <>
      <PageHeader title={t('page.duplicates.title')} description={t('page.duplicates.description')} />
      {notice && (
        <Alert color="huza" variant="light" mb="md" withCloseButton onClose={() => setNotice(undefined)} role="status" data-testid="duplicates-notice">
          {notice}
        </Alert>
      )}
      <AsyncView state={queue} onRetry={queue.reload}>
        {({ reviews, patients }) => {
          if (reviews.length === 0) return <Card withBorder padding="lg"><Text c="dimmed" ta="center" py="lg" data-testid="duplicates-empty">{t('duplicates.empty')}</Text></Card>;
          const current = reviews.find((r) => r.id === selected) ?? reviews[0];
          return (
            <Stack gap="lg">
              <Card withBorder padding="lg">
                <Table striped highlightOnHover verticalSpacing="sm" data-testid="duplicates-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('duplicates.col.record')}</Table.Th>
                      <Table.Th>{t('duplicates.col.candidate')}</Table.Th>
                      <Table.Th>{t('duplicates.col.score')}</Table.Th>
                      <Table.Th aria-label={t('duplicates.col.actions')} />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {reviews.map((r) => (
                      <Table.Tr key={r.id} data-testid="duplicate-row" aria-selected={r.id === current.id}>
                        <Table.Td>{patientLabel(patients.get(r.source)) || r.source}</Table.Td>
                        <Table.Td>{patientLabel(patients.get(r.candidate)) || r.candidate}</Table.Td>
                        <Table.Td ff="monospace">{r.score.toFixed(1)}</Table.Td>
                        <Table.Td>
                          <Button size="xs" variant={r.id === current.id ? 'filled' : 'default'} onClick={() => setSelected(r.id)}>{t('duplicates.compare')}</Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Card>
              <Comparison
                key={current.id}
                review={current}
                left={patients.get(current.source)}
                right={patients.get(current.candidate)}
                onDecided={(message) => { setNotice(message); setSelected(undefined); queue.reload(); }}
              />
            </Stack>
          );
        }}
      </AsyncView>
      <Box mt="lg">
        <MatchModelPanel />
      </Box>
    </>
  );
}

function Comparison({ review, left, right, onDecided }: { review: Review; left?: Patient; right?: Patient; onDecided: (message: string) => void }) {
  const { t, i18n } = useTranslation();
  const fhir = useFhir();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const history = useAsync((signal) => fhir.request<Parameters>(`Patient/$cr-history?source=${encodeURIComponent(review.source)}`, { signal }).then(decisionsFrom), [fhir, review.source]);
  if (!left || !right) return <Text c="dimmed">{t('duplicates.missingRecord')}</Text>;
  const rows = comparisonRows(left, right, review.fields);
  const shown = (field: string, value: string) => (!value ? '—' : field === 'sex' ? t(`gender.${value}`, { defaultValue: value }) : value);

  const decide = async (kind: 'link' | 'apart') => {
    setBusy(true);
    setError(undefined);
    try {
      if (kind === 'link') {
        await fhir.request('Patient/$cr-link', {
          method: 'POST',
          body: { resourceType: 'Parameters', parameter: [
            { name: 'source', valueString: review.source },
            ...(review.candidatePerson ? [{ name: 'person', valueString: review.candidatePerson }] : []),
            ...(reason ? [{ name: 'reason', valueString: reason }] : []),
          ] },
        });
        onDecided(t('duplicates.linked', { a: patientLabel(left), b: patientLabel(right) }));
      } else {
        await fhir.request('Patient/$cr-not-duplicate', {
          method: 'POST',
          body: { resourceType: 'Parameters', parameter: [{ name: 'a', valueString: review.source }, { name: 'b', valueString: review.candidate }] },
        });
        onDecided(t('duplicates.keptApart', { a: patientLabel(left), b: patientLabel(right) }));
      }
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="lg" data-testid="duplicate-comparison">
      <Group justify="space-between" mb="md">
        <Text fw={600}>{t('duplicates.sideBySide')}</Text>
        <Badge variant="light" size="lg">{t('duplicates.score', { score: review.score.toFixed(1) })}</Badge>
      </Group>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing="xs" data-testid="comparison-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('duplicates.col.field')}</Table.Th>
              <Table.Th>{patientLabel(left)}</Table.Th>
              <Table.Th>{patientLabel(right)}</Table.Th>
              <Table.Th>{t('duplicates.col.agreement')}</Table.Th>
              <Table.Th>{t('duplicates.col.weight')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.field} data-testid="comparison-row" data-field={row.field}>
                <Table.Td fw={500}>{t(`duplicates.field.${row.field}`)}</Table.Td>
                <Table.Td>{shown(row.field, row.left)}</Table.Td>
                <Table.Td>{shown(row.field, row.right)}</Table.Td>
                <Table.Td>{row.agreement && <Badge color={agreementColor[row.agreement]} variant="light" data-testid="agreement">{t(`duplicates.agreement.${row.agreement}`)}</Badge>}</Table.Td>
                <Table.Td ff="monospace">{row.weight !== undefined ? (row.weight > 0 ? '+' : '') + row.weight.toFixed(1) : ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <SimpleGrid cols={{ base: 1, sm: 2 }} mt="md">
        <TextInput label={t('duplicates.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <Group align="flex-end" justify="flex-end">
          <Button variant="default" loading={busy} onClick={() => void decide('apart')}>{t('duplicates.notDuplicate')}</Button>
          <Button loading={busy} onClick={() => void decide('link')}>{t('duplicates.samePerson')}</Button>
        </Group>
      </SimpleGrid>
      {error && <ErrorAlert error={error} />}
      <Text fw={600} mt="lg" mb="xs">{t('duplicates.history')}</Text>
      <AsyncView state={history} onRetry={history.reload}>
        {(decisions) => (
          <Stack gap={4} data-testid="duplicate-history">
            {decisions.map((d, i) => (
              <Text key={i} size="sm">
                {formatDateTime(d.at, i18n.language)} · {t(`duplicates.method.${d.method}`, { defaultValue: d.method })}{d.reason ? ` · ${d.reason}` : ''}
              </Text>
            ))}
          </Stack>
        )}
      </AsyncView>
    </Card>
  );
}
