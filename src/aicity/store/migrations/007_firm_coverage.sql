-- 007 a firm list's coverage kind: 'registry' (a full registry export or an official list) or 'sample'
-- (a curated selection, as the bundled example's firms). Counts, shares and layer mixes drawn from a
-- sample are illustrative only: never scored, never compared across cities.
ALTER TABLE enterprises ADD COLUMN coverage TEXT NOT NULL DEFAULT 'sample';
