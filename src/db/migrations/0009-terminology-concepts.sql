-- Concepts of the large terminology releases an operator loads (LOINC, ICD-10-CM, ICD-11), one row each,
-- under a CodeSystem resource of content not-present that stays the header (docs/decisions/0020-terminology-loaders.md).
-- The terminology service reads a release's rows once per header version, in file order (seq), and nests
-- them under their parent code.
CREATE TABLE IF NOT EXISTS terminology_concept (
  system text NOT NULL,
  version text NOT NULL,
  code text NOT NULL,
  seq integer NOT NULL,
  parent text,
  concept text NOT NULL,
  PRIMARY KEY (system, version, code)
);

CREATE INDEX IF NOT EXISTS terminology_concept_order ON terminology_concept (system, version, seq);
