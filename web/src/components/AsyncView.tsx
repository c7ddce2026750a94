import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FhirError } from '../fhir/client.ts';
import type { AsyncState } from '../fhir/useFhir.ts';

export function ErrorAlert({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { t } = useTranslation();
  const status = error instanceof FhirError ? error.status : undefined;
  const title = status === 403 ? t('error.forbidden') : status === 404 ? t('error.notFound') : t('error.title');
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{error.message}</Text>
        {onRetry && <Button size="xs" variant="white" color="red" onClick={onRetry}>{t('common.retry')}</Button>}
      </Stack>
    </Alert>
  );
}

/** Renders the loader, the error or the content of an async state. */
export function AsyncView<T>({ state, children, onRetry }: { state: AsyncState<T>; children: (data: T) => ReactNode; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (state.status === 'loading') return <Center py="xl"><Loader aria-label={t('common.loading')} /></Center>;
  if (state.status === 'error') return <ErrorAlert error={state.error} onRetry={onRetry} />;
  return <>{children(state.data)}</>;
}
