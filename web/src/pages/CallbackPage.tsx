import { Button, Center, Loader, Stack } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthProvider.tsx';
import { ErrorAlert } from '../components/AsyncView.tsx';

/** /app/callback: exchanges the authorization code (with the PKCE verifier) for tokens. */
export function CallbackPage() {
  const { t } = useTranslation();
  const { completeLogin } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    completeLogin().then(
      (returnTo) => navigate(returnTo, { replace: true }),
      (e: unknown) => setError(e instanceof Error ? e : new Error(String(e))),
    );
  }, [completeLogin, navigate]);
  return (
    <Center h="100vh" px="md">
      {error ? (
        <Stack maw={480}>
          <ErrorAlert error={new Error(`${t('auth.callbackFailed')} ${error.message}`)} />
          <Button onClick={() => navigate('/', { replace: true })}>{t('auth.backToStart')}</Button>
        </Stack>
      ) : (
        <Loader aria-label={t('auth.signingIn')} />
      )}
    </Center>
  );
}
