import { NativeSelect } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { rememberRole, workspacePath, type Role } from '../roles.ts';

/** Shown only to people with more than one role: switches workspace. */
export function RoleSwitch({ roles, current }: { roles: Role[]; current: Role }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (roles.length < 2) return null;
  return (
    <NativeSelect
      aria-label={t('role.switch')}
      data-testid="role-switch"
      size="sm"
      value={current}
      data={roles.map((role) => ({ value: role, label: t(`role.${role}`) }))}
      onChange={(event) => {
        const role = event.currentTarget.value as Role;
        rememberRole(role);
        navigate(workspacePath(role));
      }}
    />
  );
}
