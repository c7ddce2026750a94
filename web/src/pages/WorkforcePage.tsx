import { BarChart } from '@mantine/charts';
import { Alert, Badge, Button, Card, Group, NumberInput, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AsyncView } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import {
  densityQuery, ministryThreshold, parseDensity, parseThreshold, sortDistricts, whoThreshold,
  type DensityReport, type DistrictOrder, type Parameters,
} from '../fhir/workforce.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';

/** Workforce planning: health workers per 1,000 people by district against a threshold, as a table and a chart. */
export function WorkforcePage() {
  const { t, i18n } = useTranslation();
  const fhir = useFhir();
  const [input, setInput] = useState<string | number>(whoThreshold);
  const [order, setOrder] = useState<DistrictOrder>('shortfall');
  const typed = parseThreshold(input);
  const [threshold] = useDebouncedValue(typed, 300);
  const report = useAsync(
    async (signal) => (threshold === undefined ? undefined : parseDensity(await fhir.request<Parameters>(densityQuery(threshold), { signal }))),
    [fhir, threshold],
  );
  const number = (n: number, digits = 0) => n.toLocaleString(i18n.language === 'rw' ? 'en' : i18n.language, { maximumFractionDigits: digits });

  return (
    <>
      <PageHeader title={t('page.workforce.title')} description={t('page.workforce.description')} />
      <Card withBorder padding="lg" mb="md">
        <Group align="flex-end" gap="md" wrap="wrap">
          <NumberInput
            label={t('workforce.threshold')}
            value={input}
            onChange={setInput}
            min={0.001}
            step={0.05}
            decimalScale={3}
            w={280}
            error={typed === undefined ? t('workforce.invalidThreshold') : undefined}
            data-testid="threshold-input"
          />
          <Button variant="default" onClick={() => setInput(whoThreshold)}>{t('workforce.preset.who')}</Button>
          <Button variant="default" onClick={() => setInput(ministryThreshold)}>{t('workforce.preset.ministry')}</Button>
          <Stack gap={4}>
            <Text size="sm" fw={500}>{t('workforce.order.label')}</Text>
            <SegmentedControl
              value={order}
              onChange={(v) => setOrder(v as DistrictOrder)}
              data={[{ value: 'shortfall', label: t('workforce.order.shortfall') }, { value: 'density', label: t('workforce.order.density') }]}
              data-testid="order-control"
            />
          </Stack>
        </Group>
      </Card>
      <AsyncView state={report} onRetry={report.reload}>
        {(r) => r && <DensityView report={r} order={order} number={number} />}
      </AsyncView>
    </>
  );
}

function DensityView({ report, order, number }: { report: DensityReport; order: DistrictOrder; number: (n: number, digits?: number) => string }) {
  const { t } = useTranslation();
  const rows = sortDistricts(report.districts, order);
  const below = rows.filter((d) => d.below).length;
  // A threshold far above every district would flatten the bars; the axis always shows both.
  const top = Math.max(report.threshold, ...rows.map((d) => d.density)) * 1.1;
  return (
    <Stack gap="md">
      <Text data-testid="workforce-summary">
        {t('workforce.summary', {
          below, total: rows.length, threshold: number(report.threshold, 3), workers: number(report.workers, 1),
          population: number(report.population), density: number(report.density, 4),
        })}
      </Text>
      {report.unplaced > 0 && <Alert color="yellow" variant="light">{t('workforce.unplaced', { count: report.unplaced })}</Alert>}
      <Card withBorder padding="lg" data-testid="workforce-chart">
        <Title order={2} fz="lg" mb="md">{t('workforce.chart.title')}</Title>
        <BarChart
          h={340}
          data={rows.map((d) => ({ district: d.name, density: d.density }))}
          dataKey="district"
          series={[{ name: 'density', label: t('workforce.chart.density'), color: 'huza.6' }]}
          getBarColor={(value) => (value < report.threshold ? 'red.6' : 'teal.6')}
          referenceLines={[{ y: report.threshold, label: t('workforce.chart.threshold', { threshold: number(report.threshold, 3) }), color: 'red.7', labelPosition: 'insideTopRight' }]}
          yAxisProps={{ domain: [0, top], width: 60, tickFormatter: (v: number) => number(v, 4) }}
          xAxisProps={{ angle: -50, textAnchor: 'end', height: 80, interval: 0, fontSize: 11 }}
          valueFormatter={(v) => number(v, 4)}
          gridAxis="y"
          tickLine="y"
          aria-label={t('workforce.chart.title')}
        />
      </Card>
      <Card withBorder padding="lg">
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="workforce-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('workforce.col.district')}</Table.Th>
                <Table.Th ta="right">{t('workforce.col.population')}</Table.Th>
                <Table.Th ta="right">{t('workforce.col.doctors')}</Table.Th>
                <Table.Th ta="right">{t('workforce.col.nurses')}</Table.Th>
                <Table.Th ta="right">{t('workforce.col.midwives')}</Table.Th>
                <Table.Th ta="right">{t('workforce.col.counted')}</Table.Th>
                <Table.Th ta="right">{t('workforce.col.density')}</Table.Th>
                <Table.Th ta="right">{t('workforce.col.gap')}</Table.Th>
                <Table.Th>{t('workforce.col.status')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((d) => (
                <Table.Tr key={d.name} data-testid="workforce-row" data-district={d.name} data-below={d.below} bg={d.below ? 'red.0' : undefined}>
                  <Table.Td fw={500}>{d.name}</Table.Td>
                  <Table.Td ta="right" title={d.populationSource}>
                    {number(d.population)}
                    {d.populationYear !== undefined && <Text size="xs" c="dimmed" data-testid="population-year">{t('workforce.populationYear', { year: d.populationYear })}</Text>}
                  </Table.Td>
                  <Table.Td ta="right">{number(d.groups['medical-doctor'] ?? 0, 1)}</Table.Td>
                  <Table.Td ta="right">{number(d.groups.nurse ?? 0, 1)}</Table.Td>
                  <Table.Td ta="right">{number(d.groups.midwife ?? 0, 1)}</Table.Td>
                  <Table.Td ta="right">{number(d.workers, 1)}</Table.Td>
                  <Table.Td ta="right" data-testid="density">{number(d.density, 4)}</Table.Td>
                  <Table.Td ta="right">{number(d.gap, 1)}</Table.Td>
                  <Table.Td>
                    <Badge color={d.below ? 'red' : 'teal'} variant="light">{d.below ? t('workforce.below') : t('workforce.meets')}</Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
    </Stack>
  );
}
