import { Box, Button, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthProvider.tsx';
import { HuzaMark } from '../components/HuzaMark.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { ErrorAlert } from '../components/AsyncView.tsx';

export function LandingPage({ returnTo }: { returnTo?: string }) {
  const { t } = useTranslation();
  const { login } = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  return (
    <Box mih="100vh" bg="linear-gradient(160deg, var(--mantine-color-huza-0) 0%, var(--mantine-color-gray-0) 60%)">
      <Group justify="flex-end" p="md">
        <LanguageSwitch />
      </Group>
      <Center px="md" pt={40}>
        <Paper shadow="sm" radius="lg" p={40} maw={480} w="100%" withBorder>
          <Stack gap="lg" align="center">
            <HuzaMark size={64} />
            <Stack gap={6} align="center">
              <Title order={1}>Huza</Title>
              <Text c="dimmed" ta="center">{t('app.tagline')}</Text>
            </Stack>
            <Text ta="center">{t('landing.intro')}</Text>
            {error && <ErrorAlert error={error} />}
            <Button
              size="md"
              fullWidth
              data-testid="login-button"
              loading={busy}
              onClick={() => {
                setBusy(true);
                setError(undefined);
                login(returnTo).catch((e: unknown) => {
                  setBusy(false);
                  setError(e instanceof Error ? e : new Error(String(e)));
                });
              }}
            >
              {t('auth.login')}
            </Button>
            <Text size="xs" c="dimmed" ta="center">{t('landing.privacy')}</Text>
          </Stack>
        </Paper>
      </Center>
    </Box>
  );
}
