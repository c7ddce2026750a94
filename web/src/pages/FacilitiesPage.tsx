import { Alert, Badge, Button, Card, Grid, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { AsyncView, ErrorAlert } from '../components/AsyncView.tsx';
import { FacilityMap } from '../components/FacilityMap.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { districtQuery, facilityLevels, facilityQuery, facilityRow, withEdits, type FacilitySearch, type Location } from '../fhir/facilities.ts';
import { matches, type Bundle } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';
import { useSearchForm } from '../fhir/useSearch.ts';

/** The facility registry: find facilities by name, level and district, on a table and a map; stewards edit them. */
export function FacilitiesPage() {
  const { t } = useTranslation();
  const fhir = useFhir();
  const { role } = useParams();
  const canEdit = role === 'registry-steward';
  const { form, setForm, search, submit } = useSearchForm<FacilitySearch>();
  const [selected, setSelected] = useState<string>();
  const [editing, setEditing] = useState<Location>();
  const [notice, setNotice] = useState<string>();
  const list = useAsync((signal) => fhir.request<Bundle>(facilityQuery(search), { signal }), [fhir, search]);
  const districts = useAsync(async (signal) => matches<Location>(await fhir.request<Bundle>(districtQuery, { signal }), 'Location'), [fhir]);
  const districtOptions = (districts.data ?? []).map((d) => ({ value: d.id ?? '', label: d.name ?? '' }));
  const landmarks = (districts.data ?? []).filter((d) => d.position).map((d) => ({ name: d.name ?? '', lat: d.position!.latitude, long: d.position!.longitude }));

  return (
    <>
      <PageHeader title={t('page.facilities.title')} description={t('page.facilities.description')} />
      {notice && <Alert color="huza" variant="light" mb="md" withCloseButton onClose={() => setNotice(undefined)} role="status" data-testid="facility-notice">{notice}</Alert>}
      <Card withBorder padding="lg" mb="lg">
        <form onSubmit={submit} data-testid="facility-search">
          <Group align="flex-end" gap="md" wrap="wrap">
            <TextInput label={t('facilities.name')} value={form.name ?? ''} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} w={260} />
            <Select label={t('facilities.level')} placeholder={t('common.any')} clearable w={220}
              data={facilityLevels.map((l) => ({ value: l, label: t(`facilities.levels.${l}`) }))}
              value={form.level ?? null} onChange={(v) => setForm({ ...form, level: v ?? undefined })} />
            <Select label={t('facilities.district')} placeholder={t('common.any')} clearable searchable w={220}
              data={districtOptions} value={form.district ?? null} onChange={(v) => setForm({ ...form, district: v ?? undefined })} />
            <Button type="submit">{t('facilities.search')}</Button>
          </Group>
        </form>
      </Card>
      <AsyncView state={list} onRetry={list.reload}>
        {(bundle) => {
          const locations = matches<Location>(bundle, 'Location');
          const rows = locations.map(facilityRow);
          if (rows.length === 0) return <Card withBorder padding="lg"><Text c="dimmed" ta="center" py="lg" data-testid="facility-empty">{t('facilities.empty')}</Text></Card>;
          return (
            <Grid gap="lg">
              <Grid.Col span={{ base: 12, lg: 7 }}>
                <Card withBorder padding="lg">
                  <Text size="sm" c="dimmed" mb="xs" data-testid="facility-count">{t('facilities.found', { count: bundle.total ?? rows.length })}</Text>
                  <Table.ScrollContainer minWidth={520}>
                    <Table striped highlightOnHover verticalSpacing="xs" data-testid="facility-table">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('facilities.col.name')}</Table.Th>
                          <Table.Th>{t('facilities.col.code')}</Table.Th>
                          <Table.Th>{t('facilities.col.level')}</Table.Th>
                          <Table.Th>{t('facilities.col.district')}</Table.Th>
                          <Table.Th>{t('facilities.col.status')}</Table.Th>
                          {canEdit && <Table.Th aria-label={t('facilities.col.actions')} />}
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {rows.map((r) => (
                          <Table.Tr key={r.id} data-testid="facility-row" data-facility={r.id} aria-selected={r.id === selected} onClick={() => setSelected(r.id)}
                            style={r.id === selected ? { background: 'var(--mantine-color-huza-0)' } : undefined}>
                            <Table.Td fw={500}>{r.name}</Table.Td>
                            <Table.Td ff="monospace">{r.code}</Table.Td>
                            <Table.Td>{r.level ? t(`facilities.levels.${r.level}`, { defaultValue: r.level }) : ''}</Table.Td>
                            <Table.Td>{r.district}</Table.Td>
                            <Table.Td><Badge variant="light" color={r.status === 'active' ? 'teal' : 'gray'}>{t(`facilities.status.${r.status ?? 'active'}`, { defaultValue: r.status })}</Badge></Table.Td>
                            {canEdit && (
                              <Table.Td>
                                <Button size="xs" variant="default" onClick={(e) => { e.stopPropagation(); setEditing(locations.find((l) => l.id === r.id)); }}>{t('facilities.edit')}</Button>
                              </Table.Td>
                            )}
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </Card>
              </Grid.Col>
              <Grid.Col span={{ base: 12, lg: 5 }}>
                <Card withBorder padding="lg">
                  <FacilityMap facilities={rows} districts={landmarks} selected={selected} onSelect={setSelected} />
                </Card>
              </Grid.Col>
            </Grid>
          );
        }}
      </AsyncView>
      {editing && (
        <EditFacility location={editing} onClose={() => setEditing(undefined)}
          onSaved={(name) => { setEditing(undefined); setNotice(t('facilities.saved', { name })); list.reload(); }} />
      )}
    </>
  );
}

function EditFacility({ location, onClose, onSaved }: { location: Location; onClose: () => void; onSaved: (name: string) => void }) {
  const { t } = useTranslation();
  const fhir = useFhir();
  const row = facilityRow(location);
  const [name, setName] = useState(row.name);
  const [phone, setPhone] = useState(row.phone ?? '');
  const [status, setStatus] = useState<'active' | 'inactive' | 'suspended'>((row.status as 'active') ?? 'active');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const updated = withEdits(location, { name, phone, status });
      await fhir.request(`Location/${location.id}`, { method: 'PUT', body: updated, headers: location.meta?.versionId ? { 'if-match': `W/"${location.meta.versionId}"` } : {} });
      onSaved(updated.name ?? '');
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('facilities.editTitle', { name: row.name })}>
      <form onSubmit={(e) => void save(e)}>
        <Stack>
          <TextInput label={t('facilities.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <TextInput label={t('facilities.phone')} value={phone} onChange={(e) => setPhone(e.currentTarget.value)} />
          <Select label={t('facilities.col.status')} value={status} onChange={(v) => v && setStatus(v as 'active')} allowDeselect={false}
            data={(['active', 'suspended', 'inactive'] as const).map((s) => ({ value: s, label: t(`facilities.status.${s}`) }))} />
          {error && <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="submit" loading={busy}>{t('facilities.save')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
