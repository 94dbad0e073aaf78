-- 009 the outcome of a classification: 'ai' (a layer, perhaps a segment), 'non_ai' (the classifier says
-- the firm is not an AI firm) or 'unclassified' (no confident answer). NULL in rows written before, and
-- by the rules: read as 'ai' when the row has a layer, else 'unclassified'. Non-AI and unclassified firms
-- are counted in no layer or segment indicator; the inventory reports how many there were.
ALTER TABLE classifications ADD COLUMN outcome TEXT;
