import { Button, Card, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { AsyncView } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { Pager } from '../components/Pager.tsx';
import { classOptions, emlClassSystem, productQuery, productRow, type CodeSystem, type MedicationKnowledge, type ProductSearch } from '../fhir/products.ts';
import { link, matches, type Bundle } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';
import { usePagedQuery, useSearchForm } from '../fhir/useSearch.ts';

/** The product catalogue: medicines and commodities by name, code, GTIN or essential-medicines class. */
export function ProductsPage() {
  const { t } = useTranslation();
  const fhir = useFhir();
  const { form, setForm, search, submit } = useSearchForm<ProductSearch>();
  const [url, onPage] = usePagedQuery(productQuery(search));
  const list = useAsync((signal) => fhir.request<Bundle>(url, { signal }), [fhir, url]);
  // The classes come from the stored code system, so a steward's new class shows without a release.
  const classes = useAsync(async (signal) => {
    const found = await fhir.request<Bundle>(`CodeSystem?url=${encodeURIComponent(emlClassSystem)}`, { signal });
    return classOptions(matches<CodeSystem>(found, 'CodeSystem')[0]);
  }, [fhir]);

  return (
    <>
      <PageHeader title={t('page.products.title')} description={t('page.products.description')} />
      <Card withBorder padding="lg">
        <form onSubmit={submit} data-testid="product-search">
          <Group align="flex-end" gap="md" mb="md" wrap="wrap">
            <TextInput label={t('products.search')} value={form.text ?? ''} onChange={(e) => setForm({ ...form, text: e.currentTarget.value })} w={300} />
            <Select
              label={t('products.class')}
              placeholder={t('products.anyClass')}
              clearable
              searchable
              data={classes.data ?? []}
              value={form.eml ?? null}
              onChange={(v) => setForm({ ...form, eml: v ?? undefined })}
              w={340}
            />
            <Button type="submit">{t('healthWorkers.search')}</Button>
          </Group>
        </form>
        <AsyncView state={list} onRetry={list.reload}>
          {(bundle) => {
            const rows = matches<MedicationKnowledge>(bundle, 'MedicationKnowledge').map(productRow);
            if (rows.length === 0) return <Text c="dimmed" ta="center" py="lg" data-testid="product-empty">{t('products.empty')}</Text>;
            return (
              <>
                <Table.ScrollContainer minWidth={960}>
                  <Table striped highlightOnHover verticalSpacing="sm" data-testid="product-table">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('products.col.name')}</Table.Th>
                        <Table.Th>{t('products.col.code')}</Table.Th>
                        <Table.Th>{t('products.col.gtin')}</Table.Th>
                        <Table.Th>{t('products.col.form')}</Table.Th>
                        <Table.Th>{t('products.col.pack')}</Table.Th>
                        <Table.Th>{t('products.col.class')}</Table.Th>
                        <Table.Th>{t('products.col.atc')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {rows.map((r) => (
                        <Table.Tr key={r.id} data-testid="product-row">
                          <Table.Td fw={500}>{r.name}</Table.Td>
                          <Table.Td ff="monospace" style={{ whiteSpace: 'nowrap' }}>{r.localCode}</Table.Td>
                          <Table.Td ff="monospace">{r.gtin}</Table.Td>
                          <Table.Td>{r.form}</Table.Td>
                          <Table.Td>{r.pack}</Table.Td>
                          <Table.Td>{r.emlClass}</Table.Td>
                          <Table.Td ff="monospace">{r.atc}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                <Pager
                  previous={link(bundle, 'previous')}
                  next={link(bundle, 'next')}
                  onPage={onPage}
                  summary={bundle.total !== undefined ? t('products.found', { count: bundle.total }) : undefined}
                />
              </>
            );
          }}
        </AsyncView>
        <Text size="xs" c="dimmed" mt="md">{t('products.syntheticGtin')}</Text>
      </Card>
    </>
  );
}
