-- Client registry (master patient index). Source records and golden records are Patient resources in
-- the FHIR store; these tables hold what the registry decided about them. They carry ids, blocking keys
-- (phonetic codes and hashes, never names in clear) and scores: no demographics in plaintext.

-- Which golden record (person) each source record belongs to, and why.
CREATE TABLE cr_link (
  source_id text PRIMARY KEY,
  golden_id text NOT NULL,
  method text NOT NULL,                 -- identifier | probabilistic | new | steward | merge
  score double precision,
  rules_version integer,
  decided_by text,
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cr_link_golden ON cr_link (golden_id);

-- Every change of cr_link, so that each decision can be read back and reversed.
CREATE TABLE cr_link_history (
  seq bigserial PRIMARY KEY,
  source_id text NOT NULL,
  golden_id text,                       -- null: unlinked (source deleted)
  previous_golden_id text,
  method text NOT NULL,
  score double precision,
  decided_by text,
  reason text,
  decided_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cr_link_history_source ON cr_link_history (source_id, seq);

-- Blocking: matching one record reads only the records sharing one of its keys.
CREATE TABLE cr_block (
  key text NOT NULL,
  source_id text NOT NULL,
  PRIMARY KEY (key, source_id)
);
CREATE INDEX cr_block_source ON cr_block (source_id);

-- Potential matches waiting for a data steward.
CREATE TABLE cr_review (
  id bigserial PRIMARY KEY,
  source_id text NOT NULL,
  candidate_id text NOT NULL,
  score double precision NOT NULL,
  fields jsonb NOT NULL,                -- per-field agreement levels and weights, no values
  status text NOT NULL DEFAULT 'open',  -- open | linked | not-duplicate | superseded
  rules_version integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  decided_by text,
  UNIQUE (source_id, candidate_id)
);
CREATE INDEX cr_review_open ON cr_review (status, score DESC);

-- Pairs a steward said are different people: matching never links them again.
CREATE TABLE cr_not_duplicate (
  a text NOT NULL,
  b text NOT NULL,
  decided_by text,
  decided_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (a, b)
);

-- Decision rules and match models, versioned: each link records the version that decided it.
CREATE TABLE cr_rules (
  version integer PRIMARY KEY,
  rules jsonb NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE cr_model (
  version integer PRIMARY KEY,
  model jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
