import { Badge, Button, Card, Grid, Group, NavLink, ScrollArea, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AsyncView } from '../components/AsyncView.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { browseExpansion, codeSystemLabel, codeSystemListQuery, expansionRows, type CodeSystemSummary, type ValueSetExpansion } from '../fhir/terminology.ts';
import { matches, type Bundle } from '../fhir/types.ts';
import { useAsync, useFhir } from '../fhir/useFhir.ts';

/** The terminology service's code systems: pick one, search its concepts (through $expand), in the reader's language. */
export function TerminologyPage() {
  const { t, i18n } = useTranslation();
  const fhir = useFhir();
  const systems = useAsync(async (signal) => matches<CodeSystemSummary>(await fhir.request<Bundle>(codeSystemListQuery, { signal }), 'CodeSystem'), [fhir]);
  const [chosen, setChosen] = useState<string>();
  const [text, setText] = useState('');
  const [filter, setFilter] = useState('');
  const system = chosen ?? systems.data?.[0]?.url;
  const concepts = useAsync(async (signal) => {
    if (!system) return undefined;
    return fhir.request<ValueSetExpansion>('ValueSet/$expand', { method: 'POST', body: browseExpansion(system, filter, i18n.language), signal });
  }, [fhir, system, filter, i18n.language]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilter(text);
  };

  return (
    <>
      <PageHeader title={t('page.terminology.title')} description={t('page.terminology.description')} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder padding="sm">
            <AsyncView state={systems} onRetry={systems.reload}>
              {(list) => list.length === 0 ? <Text c="dimmed" p="md">{t('terminology.noSystems')}</Text> : (
                <ScrollArea.Autosize mah={560}>
                  <nav aria-label={t('terminology.systems')} data-testid="code-systems">
                    {list.map((cs) => (
                      <NavLink key={cs.id} label={codeSystemLabel(cs)} description={cs.url} active={cs.url === system}
                        onClick={() => { setChosen(cs.url); setFilter(''); setText(''); }} data-testid="code-system" />
                    ))}
                  </nav>
                </ScrollArea.Autosize>
              )}
            </AsyncView>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card withBorder padding="lg">
            <form onSubmit={submit} data-testid="concept-search">
              <Group align="flex-end" mb="md">
                <TextInput label={t('terminology.filter')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={320} />
                <Button type="submit">{t('terminology.search')}</Button>
              </Group>
            </form>
            <AsyncView state={concepts} onRetry={concepts.reload}>
              {(vs) => {
                const rows = vs ? expansionRows(vs) : [];
                if (rows.length === 0) return <Text c="dimmed" ta="center" py="lg" data-testid="concept-empty">{t('terminology.noConcepts')}</Text>;
                return (
                  <>
                    <Text size="sm" c="dimmed" mb="xs" data-testid="concept-count">{t('terminology.count', { count: vs?.expansion?.total ?? rows.length })}</Text>
                    <Table striped verticalSpacing="xs" data-testid="concept-table">
                      <Table.Thead>
                        <Table.Tr><Table.Th>{t('terminology.code')}</Table.Th><Table.Th>{t('terminology.display')}</Table.Th><Table.Th /></Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {rows.map((c) => (
                          <Table.Tr key={`${c.system}|${c.code}`} data-testid="concept-row">
                            <Table.Td ff="monospace">{c.code}</Table.Td>
                            <Table.Td>{c.display}</Table.Td>
                            <Table.Td>{c.abstract && <Badge variant="light" color="gray">{t('terminology.group')}</Badge>}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </>
                );
              }}
            </AsyncView>
          </Card>
        </Grid.Col>
      </Grid>
    </>
  );
}
