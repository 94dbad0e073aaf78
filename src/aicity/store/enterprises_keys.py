"""One row per enterprise and per firm, checked by the store's writes (migration 011).

Migration 008 kept these keys with two unique ART indexes; maintaining them cost more than the whole
rest of a 1M-row ingest, so migration 011 dropped them and every write path of ``aicity.store``
(``Store.insert_df``, ``ingest.upsert_entities``, the Parquet loader) runs :func:`check_keys` over the
rows it is about to write, inside its transaction: a refused write writes nothing.

The keys are the ones 008 indexed:
* ``enterprise_id``: one row per id;
* the firm key: the credit code when there is one, else ``name:`` + the normalised name (no case, no
  white space, ASCII brackets; ``aicity.io.credit.firm_name_key``) + ``@`` + city; NULL (unkeyed)
  without both a credit code and a city.
A refusal is the ``DuplicateKey`` the indexes raised, in the same words.
"""

from __future__ import annotations

from aicity.store._store import Store, check_before_insert, duplicate_key

# migration 008's index expression, verbatim (tests/store/test_enterprises_keys.py holds them equal)
FIRM_KEY = (
    "coalesce(credit_code, 'name:' || lower(translate(regexp_replace(name, "
    "'[\\s\\x{00A0}\\x{3000}]+', '', 'g'), '（）', '()')) || '@' || city_code)"
)
TABLE = "enterprises"


def check_keys(
    store: Store,
    incoming: str,
    *,
    replaces: bool = False,
    stored: bool = True,
    order: str = "_pos",
    ids_distinct: bool = False,
) -> None:
    """Refuse ``incoming`` (a relation with enterprise_id, name, city_code, credit_code and an
    ``order`` column: the rows' order, to name the first offender) if writing it would give the
    enterprises table a second row for an id or a firm.

    ``replaces``: rows whose id is stored replace that row (an upsert), so only other rows count as
    stored; else a stored id is refused. ``stored=False``: the rows are already in the table (a
    streamed first load checks the table it wrote), so only repeats among them are looked for.
    ``ids_distinct``: the caller has proven the incoming ids distinct (a streamed first load
    rejects a repeated id as a row problem), so only firm keys can repeat, and only where a row is
    not keyed by its own id. Checks run in the order the indexes refused rows: stored keys, then
    repeats; id before firm.
    """
    if stored and _first(store, f"SELECT 1 FROM {TABLE} LIMIT 1") is not None:
        if not replaces:
            hit = _first(
                store,
                f"SELECT n.enterprise_id FROM {incoming} n SEMI JOIN {TABLE} e "
                f"ON n.enterprise_id = e.enterprise_id ORDER BY n.{order} LIMIT 1",
            )
            if hit is not None:
                raise duplicate_key(TABLE, "enterprise_id", str(hit), stored=True)
        hit = _first(store, _firm_against_stored(incoming, replaces, order))
        if hit is not None:
            raise duplicate_key(TABLE, "firm", str(hit), stored=True)
    firms = (_other_firms(incoming, order), "_o") if ids_distinct else (incoming, order)
    keyed = [] if ids_distinct else [("enterprise_id", incoming, order)]
    keyed.append((FIRM_KEY, *firms))
    for key, rows, position in keyed:
        hit = _first_repeat(store, key, rows, position)
        if hit is not None:  # the indexes did not say which key a repeat in one write was
            raise duplicate_key(TABLE, "key", str(hit), stored=False)


def _first_repeat(store: Store, key: str, rows: str, order: str) -> object:
    """The repeated ``key`` whose last row comes first, or None. Equal keys hash alike, so keys
    are grouped only when some hash repeats (long firm keys group at twice the cost of hashes);
    missing keys share one hash, which ``count(k)`` leaves out (no filter: it would compute the
    key twice)."""
    keys = f"(SELECT {key} AS k, {order} AS o FROM {rows})"
    if _first(store, f"SELECT 1 FROM {keys} GROUP BY hash(k) HAVING count(k) > 1 LIMIT 1") is None:
        return None
    last_first = "WHERE k IS NOT NULL GROUP BY k HAVING count(*) > 1 ORDER BY max(o) LIMIT 1"
    return _first(store, f"SELECT k FROM {keys} {last_first}")


def _other_firms(incoming: str, order: str) -> str:
    """The rows of ``incoming`` whose firm key another row may hold when ids are distinct: rows
    not keyed by their own id (credit code = id: distinct), and keyed rows whose key one of those
    could hold (its credit code, or a name key). Row order as ``_o``."""
    other = "credit_code IS DISTINCT FROM enterprise_id"
    return (
        f"(SELECT enterprise_id, name, city_code, credit_code, {order} AS _o FROM {incoming} "
        f"WHERE {other} OR starts_with(credit_code, 'name:') OR credit_code IN "
        f"(SELECT credit_code FROM {incoming} WHERE credit_code IS NOT NULL AND {other}))"
    )


def _first(store: Store, sql: str) -> object:
    """The first column of the first row, or None (the result read whole: LIMIT 1 queries)."""
    found = store.fetch_df(sql)
    return None if found.empty else found.iloc[0, 0]


def _firm_against_stored(incoming: str, replaces: bool, order: str) -> str:
    """The first incoming firm key some other stored row holds. Only stored rows that can match are
    keyed: a credit code among the incoming keys, or no credit code and a city (a name key)."""
    others = f"ANTI JOIN {incoming} r ON e.enterprise_id = r.enterprise_id" if replaces else ""
    return (
        f"WITH n AS (SELECT {FIRM_KEY} AS firm, {order} AS o FROM {incoming}), "
        "keyed AS (SELECT firm, o FROM n WHERE firm IS NOT NULL), "
        f"s AS (SELECT {FIRM_KEY} AS firm FROM {TABLE} e {others} "
        "WHERE e.credit_code IN (SELECT firm FROM keyed) "
        "OR (e.credit_code IS NULL AND e.city_code IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM keyed WHERE starts_with(firm, 'name:')))) "
        "SELECT firm FROM keyed SEMI JOIN s USING (firm) ORDER BY o LIMIT 1"
    )


def check_relation(store: Store, relation: str) -> None:
    """:func:`check_keys` over the rows of ``relation`` (a view, ``read_parquet(...)``) in their
    order, before they are appended; key columns it lacks count as NULL."""
    columns = store.fetch_df(f"DESCRIBE SELECT * FROM {relation}")["column_name"].tolist()
    picked = ", ".join(
        f'"{c}"' if c in columns else f"NULL::TEXT AS {c}"
        for c in ("enterprise_id", "name", "city_code", "credit_code")
    )
    check_keys(store, f"(SELECT {picked}, row_number() OVER () AS _pos FROM {relation})")


check_before_insert(TABLE, check_relation)  # Store.insert_df's frames
