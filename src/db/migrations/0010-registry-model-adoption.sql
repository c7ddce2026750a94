-- Re-estimated match models (docs/decisions/0022-registry-model-re-estimation.md): each version of
-- cr_model records who adopted it and on what basis (the sample it was estimated from, EM's trace,
-- the guard rails it passed or was forced past, how many sampled decisions it changed, the reason).
ALTER TABLE cr_model ADD COLUMN IF NOT EXISTS created_by text;
ALTER TABLE cr_model ADD COLUMN IF NOT EXISTS basis jsonb;
