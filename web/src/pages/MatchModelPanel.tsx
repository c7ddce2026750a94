import { BarChart } from '@mantine/charts';
import { Alert, Badge, Button, Card, Group, List, NumberInput, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AsyncView, ErrorAlert } from '../components/AsyncView.tsx';
import { formatDateTime } from '../fhir/format.ts';
import {
  estimateRequest, largestShift, modelEstimateFrom, modelHistoryFrom, parseSampleSize, sampleSizeRange, weightChartData,
  type DecisionKind, type FieldWeights, type ModelEstimate, type ModelVersion, type Parameters,
} from '../fhir/registry.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';

const decisions: DecisionKind[] = ['link', 'review', 'new'];

/**
 * The match model on the steward's page: the versions in force so far, and a re-estimate learnt by
 * EM from the registry's own records, its weights beside the ones in force per field, what it
 * would change, and the buttons to adopt it and to re-decide stored records with it.
 */
export function MatchModelPanel() {
  const { t, i18n } = useTranslation();
  const fhir = useFhir();
  const history = useAsync((signal) => fhir.request<Parameters>('Patient/$cr-model?_count=10', { signal }).then(modelHistoryFrom), [fhir]);
  const [input, setInput] = useState<string | number>(sampleSizeRange.default);
  const sampleSize = parseSampleSize(input);
  // The estimate shown and the sample size it was made with: adopting estimates again with that one.
  const [shown, setShown] = useState<{ estimate: ModelEstimate; sampleSize: number }>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'preview' | 'adopt' | 'rematch' | 'restore'>();
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState<{ text: string; rematch: boolean }>();
  const number = (n: number, digits = 0) => n.toLocaleString(i18n.language === 'rw' ? 'en' : i18n.language, { maximumFractionDigits: digits });

  const run = async (kind: NonNullable<typeof busy>, action: () => Promise<void>) => {
    setBusy(kind);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(undefined);
    }
  };
  const call = (parameters: Parameters) => fhir.request<Parameters>('Patient/$cr-estimate-model', { method: 'POST', body: parameters }).then(modelEstimateFrom);
  const preview = () => run('preview', async () => {
    setNotice(undefined);
    setShown({ estimate: await call(estimateRequest({ sampleSize: sampleSize! })), sampleSize: sampleSize! });
  });
  const adopt = (size: number) => run('adopt', async () => {
    const adopted = await call(estimateRequest({ sampleSize: size, adopt: true, reason }));
    setShown({ estimate: adopted, sampleSize: size });
    setReason('');
    setNotice({ text: t('matchModel.adopted', { version: adopted.version }), rematch: true });
    history.reload();
  });
  const restore = (version: number) => run('restore', async () => {
    const after = modelHistoryFrom(await fhir.request<Parameters>('Patient/$cr-model', { method: 'POST', body: { resourceType: 'Parameters', parameter: [{ name: 'restore', valueInteger: version }] } }));
    setShown(undefined);
    setNotice({ text: t('matchModel.restored', { from: version, version: after.current }), rematch: true });
    history.reload();
  });
  const rematch = () => run('rematch', async () => {
    const result = await fhir.request<Parameters>('Patient/$cr-rematch', { method: 'POST', body: { resourceType: 'Parameters' } });
    const value = (name: string) => result.parameter?.find((p) => p.name === name)?.valueInteger ?? 0;
    setNotice({ text: t('matchModel.rematched', { records: number(value('records')), changed: number(value('changed')) }), rematch: false });
  });

  return (
    <Card withBorder padding="lg" data-testid="match-model">
      <Title order={2} fz="lg">{t('matchModel.title')}</Title>
      <Text size="sm" c="dimmed" mb="md">{t('matchModel.description')}</Text>
      <AsyncView state={history} onRetry={history.reload}>
        {(h) => <ModelHistory current={h.current} versions={h.versions} busy={busy !== undefined} onRestore={(v) => void restore(v)} />}
      </AsyncView>
      <Group align="flex-end" gap="md" mt="lg" wrap="wrap">
        <NumberInput
          label={t('matchModel.sampleSize')}
          description={t('matchModel.sampleSizeHint', { min: number(sampleSizeRange.min), max: number(sampleSizeRange.max) })}
          value={input}
          onChange={setInput}
          min={sampleSizeRange.min}
          max={sampleSizeRange.max}
          step={500}
          thousandSeparator=" "
          allowDecimal={false}
          w={300}
          error={sampleSize === undefined ? t('matchModel.invalidSampleSize', { min: number(sampleSizeRange.min), max: number(sampleSizeRange.max) }) : undefined}
          data-testid="sample-size"
        />
        <Button onClick={() => void preview()} loading={busy === 'preview'} disabled={sampleSize === undefined || (busy !== undefined && busy !== 'preview')} data-testid="estimate-preview">
          {t('matchModel.preview')}
        </Button>
      </Group>
      {notice && (
        <Alert color="huza" variant="light" mt="md" withCloseButton onClose={() => setNotice(undefined)} role="status" data-testid="match-model-notice">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{notice.text}</Text>
            {notice.rematch && <Button size="xs" variant="white" loading={busy === 'rematch'} disabled={busy !== undefined && busy !== 'rematch'} onClick={() => void rematch()}>{t('matchModel.rematch')}</Button>}
          </Stack>
        </Alert>
      )}
      {error && <Stack mt="md"><ErrorAlert error={error} /></Stack>}
      {shown && (
        <EstimateView
          estimate={shown.estimate}
          number={number}
          reason={reason}
          onReason={setReason}
          adopting={busy === 'adopt'}
          disabled={busy !== undefined}
          onAdopt={() => void adopt(shown.sampleSize)}
        />
      )}
    </Card>
  );
}

function ModelHistory({ current, versions, busy, onRestore }: { current: number; versions: ModelVersion[]; busy: boolean; onRestore: (version: number) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" data-testid="model-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('matchModel.col.version')}</Table.Th>
            <Table.Th>{t('matchModel.col.origin')}</Table.Th>
            <Table.Th>{t('matchModel.col.by')}</Table.Th>
            <Table.Th>{t('matchModel.col.basis')}</Table.Th>
            <Table.Th aria-label={t('duplicates.col.actions')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.map((v) => (
            <Table.Tr key={v.version} data-testid="model-version" data-version={v.version}>
              <Table.Td>
                <Group gap="xs">
                  <Text ff="monospace" size="sm">{v.version}</Text>
                  {v.version === current && <Badge size="sm" variant="light">{t('matchModel.inForce')}</Badge>}
                  {v.forced && <Badge size="sm" color="red" variant="light">{t('matchModel.forced')}</Badge>}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{t(`matchModel.kind.${v.kind}`, { defaultValue: v.kind, from: v.restoredFrom })}</Text>
                {v.name && <Text size="xs" c="dimmed" ff="monospace">{v.name}</Text>}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{v.by ?? '—'}</Text>
                {v.at && <Text size="xs" c="dimmed">{formatDateTime(v.at, i18n.language)}</Text>}
              </Table.Td>
              <Table.Td>
                {v.pairs !== undefined && <Text size="sm">{t('matchModel.basis', { records: v.records ?? 0, pairs: v.pairs, changed: v.changed ?? 0 })}</Text>}
                {v.reason && <Text size="xs" c="dimmed">{v.reason}</Text>}
              </Table.Td>
              <Table.Td>
                {v.version !== current && <Button size="xs" variant="default" disabled={busy} onClick={() => onRestore(v.version)}>{t('matchModel.restore')}</Button>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function EstimateView({ estimate, number, reason, onReason, adopting, disabled, onAdopt }: {
  estimate: ModelEstimate; number: (n: number, digits?: number) => string; reason: string; onReason: (r: string) => void;
  adopting: boolean; disabled: boolean; onAdopt: () => void;
}) {
  const { t } = useTranslation();
  const { sample, em, decisions: d } = estimate;
  const shift = largestShift(estimate.fields);
  return (
    <Stack gap="md" mt="lg" data-testid="model-estimate">
      <Group gap="xs">
        <Badge color={em.converged ? 'teal' : 'red'} variant="light">{em.converged ? t('matchModel.converged', { iterations: em.iterations }) : t('matchModel.notConverged', { iterations: em.iterations })}</Badge>
        {estimate.adopted && <Badge variant="filled">{t('matchModel.adoptedBadge', { version: estimate.version })}</Badge>}
      </Group>
      <Text size="sm" data-testid="model-estimate-summary">
        {t('matchModel.summary', {
          pairs: number(sample.pairs ?? 0), records: number(sample.sampled ?? 0), registry: number(sample.registryRecords ?? 0),
          anchored: number((sample.anchoredMatches ?? 0) + (sample.anchoredNonMatches ?? 0)), share: number(em.matchProportion * 100, 1),
        })}
      </Text>
      {estimate.problems.length > 0 && (
        <Alert color="yellow" variant="light" title={t('matchModel.problems')} data-testid="model-problems">
          <List size="sm">{estimate.problems.map((p) => <List.Item key={p}>{p}</List.Item>)}</List>
        </Alert>
      )}
      <Card withBorder padding="md">
        <Text fw={600} mb={4}>{t('matchModel.impact')}</Text>
        <Text size="sm" mb="xs" data-testid="model-impact">{t('matchModel.changes', { changed: number(d.changed), pairs: number(d.pairs), records: number(d.recordsAffected) })}</Text>
        <Table verticalSpacing={4} withRowBorders={false} w="auto">
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              {decisions.map((k) => <Table.Th key={k} ta="right">{t(`matchModel.decision.${k}`)}</Table.Th>)}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(['current', 'proposed'] as const).map((which) => (
              <Table.Tr key={which}>
                <Table.Td fw={500}>{t(`matchModel.${which}`)}</Table.Td>
                {decisions.map((k) => <Table.Td key={k} ta="right" ff="monospace">{number(d[which][k])}</Table.Td>)}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {d.changes.length > 0 && (
          <Group gap="xs" mt="xs">
            {d.changes.map((c) => (
              <Badge key={`${c.from}-${c.to}`} variant="outline" color="gray" tt="none">
                {t('matchModel.change', { from: t(`matchModel.decision.${c.from}`), to: t(`matchModel.decision.${c.to}`), count: c.count })}
              </Badge>
            ))}
          </Group>
        )}
      </Card>
      <div>
        <Text fw={600}>{t('matchModel.weights')}</Text>
        <Text size="sm" c="dimmed" mb="sm">
          {t('matchModel.weightsHint')}
          {shift && ` ${t('matchModel.largestShift', { field: t(`duplicates.field.${shift.field}`), level: t(`matchModel.level.${shift.level}`), from: number(shift.from, 1), to: number(shift.to, 1) })}`}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
          {estimate.fields.map((f) => <FieldChart key={f.field} field={f} number={number} />)}
        </SimpleGrid>
      </div>
      {!estimate.adopted && (
        <Group align="flex-end" gap="md" wrap="wrap">
          <TextInput label={t('matchModel.reason')} value={reason} onChange={(e) => onReason(e.currentTarget.value)} w={360} />
          <Button onClick={onAdopt} loading={adopting} disabled={!estimate.adoptable || disabled} data-testid="estimate-adopt">{t('matchModel.adopt')}</Button>
          <Text size="xs" c="dimmed" maw={420}>{estimate.adoptable ? t('matchModel.adoptHint') : t('matchModel.notAdoptable')}</Text>
        </Group>
      )}
    </Stack>
  );
}

function FieldChart({ field, number }: { field: FieldWeights; number: (n: number, digits?: number) => string }) {
  const { t } = useTranslation();
  const data = weightChartData(field).map((d) => ({ ...d, level: t(`matchModel.level.${d.level}`) }));
  return (
    <Card withBorder padding="sm" data-testid="weight-chart" data-field={field.field}>
      <Text fw={500} size="sm" mb="xs">{t(`duplicates.field.${field.field}`)}</Text>
      <BarChart
        h={200}
        data={data}
        dataKey="level"
        series={[
          { name: 'current', label: t('matchModel.current'), color: 'gray.5' },
          { name: 'proposed', label: t('matchModel.proposed'), color: 'huza.6' },
        ]}
        withLegend
        legendProps={{ verticalAlign: 'bottom', height: 30 }}
        referenceLines={[{ y: 0, color: 'gray.6' }]}
        valueFormatter={(v) => number(v, 1)}
        yAxisProps={{ width: 36 }}
        xAxisProps={{ interval: 0, fontSize: 10, angle: data.length > 4 ? -30 : 0, textAnchor: data.length > 4 ? 'end' : 'middle', height: data.length > 4 ? 56 : 30 }}
        gridAxis="y"
        tickLine="y"
        aria-label={t('matchModel.chartLabel', { field: t(`duplicates.field.${field.field}`) })}
      />
    </Card>
  );
}
