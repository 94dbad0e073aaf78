"""Classification workflows: the firms in the store classified into the taxonomy."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from aicity.inventory.rules_vectorised import VectorisedRules
from aicity.store import Store
from aicity.store import inventory as sinv


def classify_rules_in_db(
    store: Store,
    run_id: int,
    keywords: pd.DataFrame,
    pattern: str,
    name_weight: float,
    relation: str = "enterprises",
    batch_rows: int = 262_144,
) -> int:
    """The rules classifier at scale: RE2 matching inside DuckDB, scoring vectorised over Arrow.

    ``keywords``: keyword (case-folded), segment, layer, pos. ``pattern``: the alternation built by
    :func:`aicity.inventory.rules.keyword_pattern`. ``relation``: a table or view with enterprise_id,
    name, description, layer, segment. Labels in the input win (method 'input'); a layer label alone
    restricts the choice to that layer. Returns the rows written to ``classifications``.

    The store streams the matched keywords in Arrow batches; each batch is scored with numpy
    (:class:`VectorisedRules`) and the results go in with one INSERT ... SELECT. Memory stays bounded
    by the batch plus the compact results. Runs inside the caller's transaction, if any.
    """
    rules = VectorisedRules(keywords, name_weight)
    before = sinv.count_classifications(store, run_id)
    sinv.write_input_labels(store, run_id, relation)
    batches = sinv.keyword_hit_batches(store, pattern, relation, batch_rows)
    scored = [rules.score(batch, run_id) for batch in batches]  # read to the end before writing
    if scored:
        sinv.write_scored_classifications(store, run_id, pa.concat_tables(scored))
    return sinv.count_classifications(store, run_id) - before
