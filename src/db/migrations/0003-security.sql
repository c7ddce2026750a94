-- Identity, OAuth and key material. Secrets are stored hashed (passwords, client secrets) or wrapped
-- under the master key (signing and data keys); nothing here is stored in plaintext that would let a
-- database reader impersonate anyone.

CREATE TABLE account (
  id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name text NOT NULL,
  roles text[] NOT NULL,
  -- FHIR identity of the person: Practitioner/… for staff, Patient/… for patients.
  fhir_user text,
  facilities text[] NOT NULL DEFAULT '{}',
  totp_secret text,               -- wrapped under the master key when set
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled boolean NOT NULL DEFAULT false,
  created timestamptz NOT NULL DEFAULT now()
);

-- oidc-provider's models (sessions, grants, codes, tokens, interactions), one table for all.
CREATE TABLE oauth_store (
  model text NOT NULL,
  id text NOT NULL,
  payload jsonb NOT NULL,
  grant_id text,
  uid text,
  user_code text,
  expires_at timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oauth_store_grant ON oauth_store (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_store_uid ON oauth_store (uid) WHERE uid IS NOT NULL;
CREATE INDEX oauth_store_expires ON oauth_store (expires_at);

-- Registered OAuth clients (facility EMRs, lab systems, SMART apps, the web app).
CREATE TABLE oauth_client (
  client_id text PRIMARY KEY,
  name text NOT NULL,
  metadata jsonb NOT NULL,        -- client metadata as oidc-provider reads it; secrets hashed
  facility text,
  created timestamptz NOT NULL DEFAULT now(),
  disabled boolean NOT NULL DEFAULT false
);

-- Key ring: data keys (envelope encryption) and token signing keys, each wrapped by the master key.
CREATE TABLE key_ring (
  purpose text NOT NULL,          -- 'data' or 'signing'
  version integer NOT NULL,
  wrapped bytea NOT NULL,
  master_key_id text NOT NULL,
  created timestamptz NOT NULL DEFAULT now(),
  retired timestamptz,
  PRIMARY KEY (purpose, version)
);

-- The tamper-evident audit chain: each AuditEvent's hash covers the previous one.
CREATE TABLE audit_chain (
  seq bigint PRIMARY KEY,
  audit_event_id text NOT NULL,
  recorded timestamptz NOT NULL,
  content_hash text NOT NULL,
  chain_hash text NOT NULL
);
