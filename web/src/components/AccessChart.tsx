import { BarChart } from '@mantine/charts';
import { Card, Group, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { WeekCount } from '../fhir/audit.ts';
import { formatDayMonth } from '../fhir/format.ts';

/** Accesses per week, routine and emergency stacked: the numbers a person compares week to week. */
export function AccessChart({ weeks, truncated }: { weeks: WeekCount[]; truncated: boolean }) {
  const { t, i18n } = useTranslation();
  const total = weeks.reduce((n, w) => n + w.routine + w.emergency, 0);
  const emergency = weeks.reduce((n, w) => n + w.emergency, 0);
  const data = weeks.map((w) => ({ ...w, label: formatDayMonth(w.week, i18n.language) }));
  return (
    <Card withBorder padding="lg" data-testid="access-chart">
      <Group justify="space-between" align="flex-start" mb="md">
        <div>
          <Title order={2} fz="lg">{t('accessLog.chart.title')}</Title>
          <Text size="sm" c="dimmed" data-testid="access-chart-summary">
            {t('accessLog.chart.summary', { count: total, weeks: weeks.length, emergency })}
          </Text>
        </div>
      </Group>
      <BarChart
        h={240}
        data={data}
        dataKey="label"
        type="stacked"
        withLegend
        legendProps={{ verticalAlign: 'bottom' }}
        tickLine="y"
        gridAxis="y"
        yAxisProps={{ allowDecimals: false, width: 30 }}
        series={[
          { name: 'routine', label: t('accessLog.chart.routine'), color: 'huza.5' },
          { name: 'emergency', label: t('accessLog.chart.emergency'), color: 'red.6' },
        ]}
        aria-label={t('accessLog.chart.title')}
      />
      {truncated && <Text size="xs" c="dimmed" mt="xs">{t('accessLog.chart.truncated')}</Text>}
    </Card>
  );
}
