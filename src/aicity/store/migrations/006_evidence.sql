-- 006 evidence rules: which cells are real (sourced, verified, in the window, one year per indicator),
-- each unit's coverage and whether it is ranked, and each indicator's coverage and whether it was scored.
ALTER TABLE eval_cells ADD COLUMN real BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE eval_units ADD COLUMN ranked BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE eval_units ADD COLUMN real_cells INTEGER;
ALTER TABLE eval_units ADD COLUMN total_cells INTEGER;
CREATE TABLE eval_coverage (
    run_id    TEXT NOT NULL,
    unit_key  TEXT NOT NULL,  -- '' for an indicator's row
    code      TEXT NOT NULL,  -- an indicator, or a dimension for a unit's row
    real      INTEGER NOT NULL,
    total     INTEGER NOT NULL,
    included  BOOLEAN NOT NULL,  -- indicator scored / unit's dimension scored
    reason    TEXT,
    PRIMARY KEY (run_id, unit_key, code)
);
