import { Alert, Badge, Button, Card, Group, Modal, Select, SimpleGrid, Stack, Switch, Table, Tabs, Text, TextInput, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AsyncView, ErrorAlert } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { Pager } from '../components/Pager.tsx';
import { displayName, formatPeriod, referenceText } from '../fhir/format.ts';
import {
  allowedActions, basicForNewLicence, licenceFromBasic, licenceQuery, licenceStatusColor, statusAfter, withStatus,
  type Licence, type LicenceAction, type LicenceKind,
} from '../fhir/licences.ts';
import { link, matches, type Basic, type Bundle, type Organization, type Practitioner } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';

const defaultIssuer: Record<LicenceKind, string> = {
  'practitioner-licence': 'Rwanda Medical and Dental Council',
  'facility-digital-health-licence': 'Ministry of Health',
};
const expiringDays = 30;

function kindOf(basic: Basic): LicenceKind | undefined {
  return licenceFromBasic(basic).kind;
}

function today(): string {
  return new Date(Date.now() + 2 * 3600 * 1000).toISOString().slice(0, 10);
}

function plusYears(date: string, years: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The licence registry for the regulator: practitioner and facility licences, issue, suspend, revoke, reinstate. */
export function LicencesPage() {
  const { t, i18n } = useTranslation();
  const fhir = useFhir();
  const [kind, setKind] = useState<LicenceKind>('practitioner-licence');
  const [expiring, setExpiring] = useState(false);
  const baseQuery = expiring ? `Basic/$expiring-licences?days=${expiringDays}` : licenceQuery(kind);
  const [page, setPage] = useState<{ query: string; url: string }>();
  const url = page?.query === baseQuery ? page.url : baseQuery;
  const list = useAsync((signal) => fhir.request<Bundle>(url, { signal }), [fhir, url]);
  const [issuing, setIssuing] = useState(false);
  const [pending, setPending] = useState<{ basic: Basic; action: LicenceAction }>();
  const [notice, setNotice] = useState<string>();

  return (
    <>
      <PageHeader
        title={t('page.licences.title')}
        description={t('page.licences.description')}
        actions={<Button onClick={() => setIssuing(true)}>{t('licences.issue')}</Button>}
      />
      {notice && (
        <Alert color="huza" variant="light" mb="md" withCloseButton onClose={() => setNotice(undefined)} role="status" data-testid="licence-notice">
          {notice}
        </Alert>
      )}
      <Card withBorder padding="lg">
        <Group justify="space-between" mb="md" wrap="wrap">
          <Tabs value={kind} onChange={(v) => v && setKind(v as LicenceKind)}>
            <Tabs.List>
              <Tabs.Tab value="practitioner-licence">{t('licences.kind.practitioner-licence')}</Tabs.Tab>
              <Tabs.Tab value="facility-digital-health-licence">{t('licences.kind.facility-digital-health-licence')}</Tabs.Tab>
            </Tabs.List>
          </Tabs>
          <Switch
            checked={expiring}
            onChange={(e) => setExpiring(e.currentTarget.checked)}
            label={t('licences.expiringWithin', { count: expiringDays })}
            data-testid="expiring-switch"
          />
        </Group>
        <AsyncView state={list} onRetry={list.reload}>
          {(bundle) => {
            const basics = matches<Basic>(bundle, 'Basic').filter((b) => kindOf(b) === kind);
            if (basics.length === 0) return <Text c="dimmed" ta="center" py="lg">{t('licences.empty')}</Text>;
            return (
              <>
                <Table.ScrollContainer minWidth={820}>
                  <Table striped highlightOnHover verticalSpacing="sm" data-testid="licence-table">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('licences.col.holder')}</Table.Th>
                        <Table.Th>{t('licences.col.number')}</Table.Th>
                        <Table.Th>{t('licences.col.issuer')}</Table.Th>
                        <Table.Th>{t('licences.col.validity')}</Table.Th>
                        {kind === 'facility-digital-health-licence' && <Table.Th>{t('licences.col.scope')}</Table.Th>}
                        <Table.Th>{t('licences.col.status')}</Table.Th>
                        <Table.Th aria-label={t('licences.col.actions')} />
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {basics.map((basic) => {
                        const licence = licenceFromBasic(basic);
                        return (
                          <Table.Tr key={basic.id} data-testid="licence-row" data-licence-number={licence.number}>
                            <Table.Td>
                              <Text size="sm" fw={500}>{referenceText(licence.holder)}</Text>
                              {licence.holder?.reference && <Text size="xs" c="dimmed">{licence.holder.reference}</Text>}
                            </Table.Td>
                            <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>{licence.number}</Table.Td>
                            <Table.Td>{licence.issuer}</Table.Td>
                            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatPeriod(licence.period, i18n.language)}</Table.Td>
                            {kind === 'facility-digital-health-licence' && <Table.Td>{licence.scope}</Table.Td>}
                            <Table.Td>
                              {licence.status && <Badge color={licenceStatusColor[licence.status]} variant="light" miw="max-content" data-testid="licence-status">{t(`licences.status.${licence.status}`)}</Badge>}
                            </Table.Td>
                            <Table.Td>
                              <Group gap={6} justify="flex-end" wrap="nowrap">
                                {allowedActions(licence.status).map((action) => (
                                  <Button key={action} size="xs" variant={action === 'revoke' ? 'light' : 'default'} color={action === 'revoke' ? 'red' : undefined}
                                    onClick={() => setPending({ basic, action })}>
                                    {t(`licences.action.${action}`)}
                                  </Button>
                                ))}
                              </Group>
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Pager previous={link(bundle, 'previous')} next={link(bundle, 'next')} onPage={(u) => setPage({ query: baseQuery, url: u })} />
              </>
            );
          }}
        </AsyncView>
      </Card>
      <IssueLicenceModal
        opened={issuing}
        initialKind={kind}
        onClose={() => setIssuing(false)}
        onIssued={(licence) => {
          setIssuing(false);
          setNotice(t('licences.issued', { number: licence.number, holder: referenceText(licence.holder) }));
          if (licence.kind) setKind(licence.kind);
          list.reload();
        }}
      />
      <StatusChangeModal
        pending={pending}
        onClose={() => setPending(undefined)}
        onDone={(licence, action) => {
          setPending(undefined);
          setNotice(t(`licences.done.${action}`, { number: licence.number }));
          list.reload();
        }}
      />
    </>
  );
}

function StatusChangeModal({ pending, onClose, onDone }: {
  pending?: { basic: Basic; action: LicenceAction };
  onClose(): void;
  onDone(licence: Licence, action: LicenceAction): void;
}) {
  const { t } = useTranslation();
  const fhir = useFhir();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  useEffect(() => { setError(undefined); setBusy(false); }, [pending]);
  const licence = pending ? licenceFromBasic(pending.basic) : undefined;
  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    setError(undefined);
    try {
      const updated = withStatus(pending.basic, statusAfter[pending.action]);
      const versionId = pending.basic.meta?.versionId;
      const saved = await fhir.request<Basic>(`Basic/${encodeURIComponent(pending.basic.id ?? '')}`, {
        method: 'PUT',
        body: updated,
        headers: versionId ? { 'if-match': `W/"${versionId}"` } : undefined,
      });
      onDone(licenceFromBasic(saved ?? updated), pending.action);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
      setBusy(false);
    }
  };
  return (
    <Modal opened={Boolean(pending)} onClose={onClose} title={pending ? t(`licences.confirm.${pending.action}.title`) : ''} centered>
      {pending && licence && (
        <Stack>
          <Text>{t(`licences.confirm.${pending.action}.body`, { number: licence.number, holder: referenceText(licence.holder) })}</Text>
          {error && <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
            <Button color={pending.action === 'revoke' ? 'red' : undefined} loading={busy} onClick={() => void confirm()} data-testid="confirm-status-change">
              {t(`licences.action.${pending.action}`)}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

interface HolderOption { value: string; label: string }

function useHolderSearch(kind: LicenceKind, search: string) {
  const fhir = useFhir();
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [options, setOptions] = useState<HolderOption[]>([]);
  useEffect(() => {
    if (debounced.length < 2) { setOptions([]); return; }
    const controller = new AbortController();
    const type = kind === 'practitioner-licence' ? 'Practitioner' : 'Organization';
    fhir.request<Bundle>(`${type}?name=${encodeURIComponent(debounced)}&_count=10`, { signal: controller.signal }).then((bundle) => {
      const found = kind === 'practitioner-licence'
        ? matches<Practitioner>(bundle, 'Practitioner').map((p) => ({ value: `Practitioner/${p.id}`, label: displayName(p.name) || `Practitioner/${p.id}` }))
        : matches<Organization>(bundle, 'Organization').map((o) => ({ value: `Organization/${o.id}`, label: o.name ?? `Organization/${o.id}` }));
      if (!controller.signal.aborted) setOptions(found);
    }, () => { if (!controller.signal.aborted) setOptions([]); });
    return () => controller.abort();
  }, [fhir, kind, debounced]);
  return options;
}

function IssueLicenceModal({ opened, initialKind, onClose, onIssued }: {
  opened: boolean;
  initialKind: LicenceKind;
  onClose(): void;
  onIssued(licence: Licence): void;
}) {
  const { t } = useTranslation();
  const fhir = useFhir();
  const [kind, setKind] = useState<LicenceKind>(initialKind);
  const [search, setSearch] = useState('');
  const [holder, setHolder] = useState<HolderOption>();
  const [number, setNumber] = useState('');
  const [issuer, setIssuer] = useState(defaultIssuer[initialKind]);
  const [start, setStart] = useState(today());
  const [end, setEnd] = useState(plusYears(today(), 1));
  const [scope, setScope] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [attempted, setAttempted] = useState(false);
  const options = useHolderSearch(kind, search);

  useEffect(() => {
    if (!opened) return;
    setKind(initialKind); setSearch(''); setHolder(undefined); setNumber(''); setIssuer(defaultIssuer[initialKind]);
    setStart(today()); setEnd(plusYears(today(), 1)); setScope(''); setBusy(false); setError(undefined); setAttempted(false);
  }, [opened, initialKind]);

  const invalid = {
    holder: !holder ? t('licences.form.required') : undefined,
    number: !number.trim() ? t('licences.form.required') : undefined,
    issuer: !issuer.trim() ? t('licences.form.required') : undefined,
    end: !end || !start || end <= start ? t('licences.form.endAfterStart') : undefined,
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (Object.values(invalid).some(Boolean) || !holder) return;
    setBusy(true);
    setError(undefined);
    try {
      const basic = basicForNewLicence({
        kind,
        holder: { reference: holder.value, display: holder.label },
        number: number.trim(),
        issuer: issuer.trim(),
        period: { start, end },
        scope: scope.trim() || undefined,
      }, today());
      const created = await fhir.request<Basic | undefined>('Basic', { method: 'POST', body: basic });
      onIssued(licenceFromBasic(created?.resourceType === 'Basic' ? created : basic));
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
      setBusy(false);
    }
  };
  const show = (message: string | undefined) => (attempted ? message : undefined);

  return (
    <Modal opened={opened} onClose={onClose} title={t('licences.issue')} size="lg" centered>
      <form onSubmit={(e) => void submit(e)} noValidate data-testid="issue-form">
        <Stack>
          <Tabs value={kind} onChange={(v) => {
            if (!v) return;
            setKind(v as LicenceKind); setHolder(undefined); setSearch(''); setIssuer(defaultIssuer[v as LicenceKind]);
          }}>
            <Tabs.List grow>
              <Tabs.Tab value="practitioner-licence">{t('licences.kind.practitioner-licence')}</Tabs.Tab>
              <Tabs.Tab value="facility-digital-health-licence">{t('licences.kind.facility-digital-health-licence')}</Tabs.Tab>
            </Tabs.List>
          </Tabs>
          <Select
            label={kind === 'practitioner-licence' ? t('licences.form.practitioner') : t('licences.form.facility')}
            placeholder={t('licences.form.searchByName')}
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            data={holder && !options.some((o) => o.value === holder.value) ? [holder, ...options] : options}
            filter={({ options: all }) => all}
            value={holder?.value ?? null}
            onChange={(value, option) => setHolder(value ? { value, label: option?.label ?? value } : undefined)}
            nothingFoundMessage={search.trim().length >= 2 ? t('licences.form.noMatch') : t('licences.form.typeToSearch')}
            error={show(invalid.holder)}
            withAsterisk
            data-testid="holder-select"
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('licences.form.number')} value={number} onChange={(e) => setNumber(e.currentTarget.value)} error={show(invalid.number)} withAsterisk />
            <TextInput label={t('licences.form.issuer')} value={issuer} onChange={(e) => setIssuer(e.currentTarget.value)} error={show(invalid.issuer)} withAsterisk />
            <TextInput type="date" label={t('licences.form.start')} value={start} onChange={(e) => setStart(e.currentTarget.value)} withAsterisk />
            <TextInput type="date" label={t('licences.form.end')} value={end} onChange={(e) => setEnd(e.currentTarget.value)} error={show(invalid.end)} withAsterisk />
          </SimpleGrid>
          {kind === 'facility-digital-health-licence' && (
            <Textarea label={t('licences.form.scope')} description={t('licences.form.scopeHelp')} value={scope} onChange={(e) => setScope(e.currentTarget.value)} autosize minRows={2} />
          )}
          {error && <ErrorAlert error={error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="submit" loading={busy}>{t('licences.form.submit')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

