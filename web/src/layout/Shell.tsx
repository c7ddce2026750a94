import { AppShell, Burger, Center, Group, Loader, NavLink, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, NavLink as RouterNavLink, Outlet, useLocation, useParams } from 'react-router';
import { useAuth } from '../auth/AuthProvider.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { RoleSwitch } from '../components/RoleSwitch.tsx';
import { UserMenu } from '../components/UserMenu.tsx';
import { HuzaMark } from '../components/HuzaMark.tsx';
import { LandingPage } from '../pages/LandingPage.tsx';
import { isRole, rememberRole, workspacePages, workspacePath } from '../roles.ts';

export function Shell() {
  const { t } = useTranslation();
  const { status, user } = useAuth();
  const { role } = useParams();
  const location = useLocation();
  const [navOpen, { toggle, close }] = useDisclosure(false);
  // On a phone the header holds only the menu button, the name and the account; the switches move into the menu.
  const wide = useMediaQuery('(min-width: 48em)', true);

  const valid = isRole(role) && user?.roles.includes(role);
  useEffect(() => {
    if (valid) rememberRole(role);
  }, [valid, role]);
  useEffect(close, [location.pathname, close]);

  if (status === 'loading') return <Center h="100vh"><Loader /></Center>;
  if (status === 'anonymous' || !user) return <LandingPage returnTo={location.pathname + location.search} />;
  if (!valid) return <Navigate to="/" replace />;

  return (
    <AppShell
      header={{ height: 64 }}
      navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpen} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.toggle')} />
            <UnstyledButton component={Link} to={workspacePath(role)} aria-label={t('app.home')}>
              <Group gap={8} wrap="nowrap">
                <HuzaMark size={30} />
                <Title order={3} c="huza.7">Huza</Title>
              </Group>
            </UnstyledButton>
            <Text c="dimmed" size="sm" visibleFrom="md">{t('app.tagline')}</Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {wide && <RoleSwitch roles={user.roles} current={role} />}
            {wide && <LanguageSwitch />}
            <UserMenu user={user} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('nav.label')}>
        {!wide && (
          <Group gap="sm" px="sm" pb="md" wrap="wrap">
            <RoleSwitch roles={user.roles} current={role} />
            <LanguageSwitch />
          </Group>
        )}
        <Text size="xs" tt="uppercase" fw={700} c="dimmed" px="sm" pb={6}>
          {t('nav.workspace', { role: t(`role.${role}`) })}
        </Text>
        {workspacePages[role].map((page) => (
          <NavLink
            key={page}
            component={RouterNavLink}
            to={workspacePath(role, page)}
            label={t(`page.${page}.nav`)}
            active={location.pathname.endsWith(`/${page}`)}
            variant="light"
          />
        ))}
        <AppShell.Section mt="auto" pt="md">
          <Tooltip label={user.username ?? user.sub} position="top-start">
            <Text size="xs" c="dimmed" px="sm" truncate>{t('nav.signedInAs', { name: user.name })}</Text>
          </Tooltip>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main bg="gray.0">
        <Suspense fallback={<Center py="xl"><Loader /></Center>}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
