/**
 * Writes a synthetic LOINC-format table (LoincTableCore.csv columns, made-up terms with valid check
 * digits) for the load benchmark: `node src/terminology/loaders/generate-loinc-file.ts 100000 /tmp/loinc-100k.csv`.
 * Nothing in it is LOINC content.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { loincCheckDigit } from './loinc-loader.ts';

const header = ['LOINC_NUM', 'COMPONENT', 'PROPERTY', 'TIME_ASPCT', 'SYSTEM', 'SCALE_TYP', 'METHOD_TYP', 'CLASS', 'CLASSTYPE',
  'LONG_COMMON_NAME', 'SHORTNAME', 'EXTERNAL_COPYRIGHT_NOTICE', 'STATUS', 'VersionFirstReleased', 'VersionLastChanged'];
const components = ['Glucose', 'Sodium', 'Potassium', 'Creatinine', 'Hemoglobin', 'Albumin', 'Bilirubin', 'Calcium', 'Ferritin', 'Lactate'];
const systems = ['Ser/Plas', 'Bld', 'Urine', 'CSF', 'Saliva'];
const properties = ['MCnc', 'SCnc', 'ACnc', 'Prid', 'NFr'];

export async function writeLoincFile(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const quote = (fields: string[]) => `${fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')}\n`;
  out.write(quote(header));
  for (let i = 0; i < rows; i++) {
    const n = String(10_000 + i);
    const code = `${n}-${loincCheckDigit(n)}`;
    const component = `${components[i % components.length]} variant ${i}`;
    const system = systems[i % systems.length];
    const property = properties[i % properties.length];
    const line = quote([code, component, property, 'Pt', system, 'Qn', '', 'CHEM', '1', `${component} [${property}] in ${system}`,
      `${component.slice(0, 12)} ${system}`, '', i % 50 === 0 ? 'DEPRECATED' : 'ACTIVE', '2.0', '2.78']);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

if (import.meta.main) {
  const [rows, path] = process.argv.slice(2);
  if (!rows || !path) throw new Error('usage: generate-loinc-file.ts ROWS FILE');
  await writeLoincFile(path, Number(rows));
}
