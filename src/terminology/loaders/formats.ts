import { icd10ClamlFormat } from './icd10-claml-loader.ts';
import { icd10cmFormat } from './icd10cm-loader.ts';
import { icd11Format } from './icd11-loader.ts';
import { loincFormat } from './loinc-loader.ts';
import type { ReleaseFormat } from './release-loader.ts';

/** The release formats `huza terminology load --format` accepts. */
export const releaseFormats: Record<string, ReleaseFormat> = {
  loinc: loincFormat,
  icd10cm: icd10cmFormat,
  icd11: icd11Format,
  icd10: icd10ClamlFormat,
};
