-- Client registry at scale (docs/decisions/0019-registry-bulk-load.md). The lookups of matching and of
-- the bulk loader probe cr_block by key (its primary key), cr_link by source (its primary key) and the
-- identifier tokens by (code, system) (sp_token_code): those need nothing new. What scanned whole tables:

-- "Kept apart by a steward" is asked for a record's pairs in either position (a = x OR b = x).
CREATE INDEX IF NOT EXISTS cr_not_duplicate_b ON cr_not_duplicate (b);

-- Reviews are closed when either record of the pair is decided (source_id = x OR candidate_id = x).
CREATE INDEX IF NOT EXISTS cr_review_candidate ON cr_review (candidate_id);
