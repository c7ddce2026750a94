-- FHIR resource store: the current version of each resource, every version in history, and typed
-- search index tables. resource_type leads every key so that each table can be LIST-partitioned by
-- resource type when one database must hold the whole country.

CREATE TABLE resource (
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  content text,
  PRIMARY KEY (resource_type, id)
);
CREATE INDEX resource_last_updated ON resource (resource_type, last_updated);

CREATE TABLE resource_history (
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id integer NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL,
  method text NOT NULL,
  content text,
  PRIMARY KEY (resource_type, id, version_id)
);
CREATE INDEX resource_history_time ON resource_history (last_updated);
CREATE INDEX resource_history_type_time ON resource_history (resource_type, last_updated);

-- Search index rows. grp ties together the components of one composite-parameter match.
CREATE TABLE sp_string (
  resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL,
  value text NOT NULL,          -- normalised: lower case, accents removed
  exact text NOT NULL,          -- as written, for :exact
  grp integer
);
CREATE INDEX sp_string_value ON sp_string (resource_type, param, value text_pattern_ops, resource_id);
CREATE INDEX sp_string_resource ON sp_string (resource_type, resource_id);

CREATE TABLE sp_token (
  resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL,
  system text, code text,
  display text,                 -- normalised text, for :text
  grp integer
);
CREATE INDEX sp_token_code ON sp_token (resource_type, param, code, system, resource_id);
CREATE INDEX sp_token_resource ON sp_token (resource_type, resource_id);

CREATE TABLE sp_reference (
  resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL,
  target_type text, target_id text, target_version text,
  url text,                     -- absolute, canonical or contained references as written
  grp integer
);
CREATE INDEX sp_reference_target ON sp_reference (resource_type, param, target_id, target_type, resource_id);
CREATE INDEX sp_reference_reverse ON sp_reference (target_type, target_id, resource_type, param, resource_id);
CREATE INDEX sp_reference_url ON sp_reference (resource_type, param, url) WHERE url IS NOT NULL;
CREATE INDEX sp_reference_resource ON sp_reference (resource_type, resource_id);

CREATE TABLE sp_date (
  resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL,
  low timestamptz, high timestamptz,  -- the period the value covers at its precision; null = open
  grp integer
);
CREATE INDEX sp_date_range ON sp_date (resource_type, param, low, high, resource_id);
CREATE INDEX sp_date_resource ON sp_date (resource_type, resource_id);

CREATE TABLE sp_number (
  resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL,
  low numeric, high numeric,
  grp integer
);
CREATE INDEX sp_number_value ON sp_number (resource_type, param, low, high, resource_id);
CREATE INDEX sp_number_resource ON sp_number (resource_type, resource_id);

CREATE TABLE sp_quantity (
  resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL,
  system text, code text, unit text,
  low numeric, high numeric,
  grp integer
);
CREATE INDEX sp_quantity_value ON sp_quantity (resource_type, param, code, low, high, resource_id);
CREATE INDEX sp_quantity_resource ON sp_quantity (resource_type, resource_id);

CREATE TABLE sp_uri (
  resource_type text NOT NULL, resource_id text NOT NULL, param text NOT NULL,
  value text NOT NULL,
  grp integer
);
CREATE INDEX sp_uri_value ON sp_uri (resource_type, param, value text_pattern_ops, resource_id);
CREATE INDEX sp_uri_resource ON sp_uri (resource_type, resource_id);

-- Paged search results are frozen at the first page so that next/previous stay stable while
-- others write: the ordered (id, version) list is kept here for an hour.
CREATE TABLE search_snapshot (
  id text PRIMARY KEY,
  created timestamptz NOT NULL DEFAULT now(),
  total integer NOT NULL,
  complete boolean NOT NULL
);
CREATE TABLE search_snapshot_entry (
  snapshot_id text NOT NULL REFERENCES search_snapshot (id) ON DELETE CASCADE,
  position integer NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  version_id integer NOT NULL,
  PRIMARY KEY (snapshot_id, position)
);
