import { Alert, Badge, Button, Card, Code, Group, Modal, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createClient, listClients } from '../admin/clients.ts';
import { systemScope } from '../admin/system-scope.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { AsyncView, ErrorAlert } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { useAsync } from '../fhir/useFhir.ts';

type Access = 'read' | 'write' | 'both';

/**
 * System clients (facility EMRs, lab systems, test harnesses) for exchange administrators: the list,
 * and registration with SMART system scopes. The secret is shown once, right after registration.
 */
export function ClientsPage() {
  const { t } = useTranslation();
  const { accessToken } = useAuth();
  const list = useAsync(() => listClients(accessToken), [accessToken]);
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<{ client_id: string; client_secret?: string }>();

  return (
    <>
      <PageHeader title={t('page.clients.title')} description={t('page.clients.description')} actions={<Button onClick={() => setOpen(true)}>{t('clients.register')}</Button>} />
      {created && (
        <Alert color="huza" variant="light" mb="md" withCloseButton onClose={() => setCreated(undefined)} role="status" data-testid="client-created" title={t('clients.created')}>
          <Stack gap={4}>
            <Text size="sm">{t('clients.clientId')}: <Code data-testid="new-client-id">{created.client_id}</Code></Text>
            {created.client_secret && <Text size="sm">{t('clients.secret')}: <Code data-testid="new-client-secret">{created.client_secret}</Code></Text>}
            <Text size="xs" c="dimmed">{t('clients.secretOnce')}</Text>
          </Stack>
        </Alert>
      )}
      <Card withBorder padding="lg">
        <AsyncView state={list} onRetry={list.reload}>
          {(clients) => clients.length === 0 ? <Text c="dimmed" ta="center" py="lg">{t('clients.empty')}</Text> : (
            <Table striped verticalSpacing="sm" data-testid="client-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('clients.col.name')}</Table.Th>
                  <Table.Th>{t('clients.col.id')}</Table.Th>
                  <Table.Th>{t('clients.col.facility')}</Table.Th>
                  <Table.Th>{t('clients.col.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {clients.map((c) => (
                  <Table.Tr key={c.client_id} data-testid="client-row">
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td ff="monospace">{c.client_id}</Table.Td>
                    <Table.Td>{c.facility ?? '—'}</Table.Td>
                    <Table.Td><Badge variant="light" color={c.disabled ? 'gray' : 'teal'}>{t(c.disabled ? 'clients.disabled' : 'clients.active')}</Badge></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </AsyncView>
      </Card>
      <RegisterClient opened={open} onClose={() => setOpen(false)} onCreated={(c) => { setCreated(c); setOpen(false); list.reload(); }} token={accessToken} />
    </>
  );
}

function RegisterClient({ opened, onClose, onCreated, token }: { opened: boolean; onClose: () => void; onCreated: (c: { client_id: string; client_secret?: string }) => void; token?: string }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [types, setTypes] = useState('');
  const [access, setAccess] = useState<Access>('both');
  const [facility, setFacility] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const scope = systemScope(types.split(/[\s,]+/).filter(Boolean), access);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await createClient(token, { name: name.trim(), scope, facility: facility.trim() || undefined }));
      setName('');
      setTypes('');
      setFacility('');
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t('clients.register')} size="lg">
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <TextInput label={t('clients.name')} description={t('clients.nameHint')} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <TextInput label={t('clients.types')} description={t('clients.typesHint')} value={types} onChange={(e) => setTypes(e.currentTarget.value)} />
          <div>
            <Text size="sm" fw={500} mb={4}>{t('clients.access')}</Text>
            <SegmentedControl value={access} onChange={(v) => setAccess(v as Access)} data={(['read', 'write', 'both'] as const).map((v) => ({ value: v, label: t(`clients.accessLevel.${v}`) }))} />
          </div>
          <TextInput label={t('clients.facility')} description={t('clients.facilityHint')} value={facility} onChange={(e) => setFacility(e.currentTarget.value)} />
          <Text size="sm">{t('clients.scope')}: <Code data-testid="scope-preview">{scope}</Code></Text>
          {error && <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="submit" loading={busy} disabled={!name.trim()}>{t('clients.submit')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
