import { Avatar, Badge, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/AuthProvider.tsx';
import type { HuzaUser } from '../auth/claims.ts';

export function initials(name: string): string {
  // Titles such as "Dr." or "Prof." are not part of the initials.
  return name.split(/\s+/).filter((p) => /^\p{L}/u.test(p) && !p.endsWith('.')).slice(0, 2).map((p) => p[0]!.toUpperCase()).join('');
}

export function UserMenu({ user }: { user: HuzaUser }) {
  const { t } = useTranslation();
  const { logout } = useAuth();
  return (
    <Menu position="bottom-end" withinPortal width={260}>
      <Menu.Target>
        <UnstyledButton aria-label={t('user.menu', { name: user.name })} data-testid="user-menu">
          <Group gap={8} wrap="nowrap">
            <Avatar color="huza" radius="xl" size={34}>{initials(user.name)}</Avatar>
            <Text size="sm" fw={500} visibleFrom="lg" maw={180} truncate>{user.name}</Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="dark">{user.name}</Text>
          {user.username && <Text size="xs" c="dimmed">{user.username}</Text>}
          <Group gap={4} mt={6}>
            {user.roles.map((role) => <Badge key={role} size="xs" variant="light">{t(`role.${role}`)}</Badge>)}
          </Group>
        </Menu.Label>
        <Menu.Divider />
        <Menu.Item color="red" data-testid="logout" onClick={() => void logout()}>{t('auth.logout')}</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
