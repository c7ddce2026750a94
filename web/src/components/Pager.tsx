import { Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** Previous / next through a searchset by its Bundle links. */
export function Pager({ previous, next, onPage, summary }: { previous?: string; next?: string; onPage(url: string): void; summary?: string }) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed" data-testid="pager-summary">{summary}</Text>
      <Group gap="xs">
        <Button variant="default" size="sm" disabled={!previous} onClick={() => previous && onPage(previous)}>{t('common.previous')}</Button>
        <Button variant="default" size="sm" disabled={!next} onClick={() => next && onPage(next)}>{t('common.next')}</Button>
      </Group>
    </Group>
  );
}
