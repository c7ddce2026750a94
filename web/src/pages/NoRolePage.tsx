import { Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthProvider.tsx';

export function NoRolePage() {
  const { t } = useTranslation();
  const { logout, user } = useAuth();
  return (
    <Center h="100vh" px="md">
      <Paper p="xl" withBorder maw={480}>
        <Stack>
          <Title order={2}>{t('noRole.title')}</Title>
          <Text>{t('noRole.body', { name: user?.name ?? '' })}</Text>
          <Button variant="default" onClick={() => void logout()}>{t('auth.logout')}</Button>
        </Stack>
      </Paper>
    </Center>
  );
}
