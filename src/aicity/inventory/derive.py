"""Derived cluster indicators from a classified firm inventory, written once in Ibis.

The same expression runs on DuckDB (the default, built from the store's connection) and on PySpark
(``aicity[spark]``, local mode or a cluster). Input: one row per firm with ``enterprise_id, city_code,
park_id, layer, segment, founded, size``. Output: long rows ``unit_type, unit_key, indicator, year, value``
for every city, every park and the nation (``nation`` / ``CN``: the mix of the whole inventory).

Indicators (codes start with ``inv_``; the registry text is in :data:`INDICATOR_DEFINITIONS`):

Only AI firms (a firm with one of the three layers) count in these indicators. A firm the classifier
calls non-AI (layer ``none`` in the input) or leaves unclassified (no layer) is counted apart:
``inv_firms_non_ai`` and ``inv_firms_unclassified``.

- ``inv_firms_total`` (AI firms); ``inv_firms_non_ai``; ``inv_firms_unclassified``; ``inv_firms_<layer>``; ``inv_firms_seg_<segment>`` (zeros included: a zero is a
  missing link of the chain);
- ``inv_share_<layer>``: the layer's share of the firms with a layer;
- ``inv_chain_completeness`` and ``inv_chain_completeness_<layer>``: share of the taxonomy's segments
  with at least one local firm;
- ``inv_lq_<layer>``, ``inv_lq_seg_<segment>``: location quotient, local share / national share;
- ``inv_hhi``: Herfindahl-Hirschman index of the segment shares (1 = one segment only);
- ``inv_anchor_firms``: firms in the national top ``anchor_share`` by the chosen size measure (ties in);
- ``inv_new_firms``: firms founded in each year (``year`` = founding year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis import _

from aicity.inventory.taxonomy import Taxonomy
from aicity.layers import LAYER_NAMES_EN, LAYER_NAMES_ZH, LAYERS

NATION_KEY = "CN"
NON_AI_LAYER = "none"  # the input's layer of a firm the classifier calls non-AI
OUTPUT_COLUMNS = ["unit_type", "unit_key", "indicator", "year", "value"]
FIRM_COLUMNS = ["enterprise_id", "city_code", "park_id", "layer", "segment", "founded", "size"]
FIRM_SCHEMA = ibis.schema(
    {
        "enterprise_id": "string",
        "city_code": "string",
        "park_id": "string",
        "layer": "string",
        "segment": "string",
        "founded": "int64",
        "size": "float64",
    }
)


@dataclass(frozen=True)
class DeriveParams:
    """What the derivation needs besides the firms: the reference year and the anchor rule."""

    year: int
    anchor_share: float = 0.05  # top 5 % of firms nationally by size are anchors


def _long(
    t: ir.Table, indicator: ir.StringValue, value: ir.Value, year: ir.Value | int
) -> ir.Table:
    return t.select(
        unit_type=t.unit_type.cast("string"),
        unit_key=t.unit_key.cast("string"),
        indicator=indicator.cast("string"),
        year=(year if isinstance(year, ir.Value) else ibis.literal(year)).cast("int64"),
        value=value.cast("float64"),
    )


def _units_of(firms: ir.Table, value_cols: dict[str, Any]) -> ir.Table:
    """Stack the city, park and nation views of per-firm-group rows: unit_type, unit_key, + value_cols."""
    city = firms.filter(firms.city_code.notnull()).select(
        unit_type=ibis.literal("city"), unit_key=firms.city_code, **value_cols
    )
    park = firms.filter(firms.park_id.notnull()).select(
        unit_type=ibis.literal("park"), unit_key=firms.park_id, **value_cols
    )
    nation = firms.select(
        unit_type=ibis.literal("nation"), unit_key=ibis.literal(NATION_KEY), **value_cols
    )
    return city.union(park).union(nation)


def anchor_threshold_query(firms: ir.Table, anchor_share: float, n_sized: int) -> ir.Table | None:
    """The size of the k-th largest firm, k = ceil(share x firms with a size); None when no size."""
    if n_sized <= 0 or anchor_share <= 0:
        return None
    k = max(1, math.ceil(anchor_share * n_sized))
    # the smallest of the top k (LIMIT without OFFSET: Ibis on Spark leaks a row-number column)
    top = firms.filter(firms["size"].notnull()).select("size").order_by(ibis.desc("size")).limit(k)
    return top.aggregate(threshold=top["size"].min())


GROUP_SCHEMA = ibis.schema(
    {
        "city_code": "string",
        "park_id": "string",
        "layer": "string",
        "segment": "string",
        "founded": "int64",
        "n": "int64",
        "anchors": "int64",
    }
)


def firm_groups(firms: ir.Table, anchor_threshold: float | None) -> ir.Table:
    """The one pass over the big table: firms and anchor firms per city, park, layer, segment and
    founding year. Everything else is computed from this small table."""
    keys = ("city_code", "park_id", "layer", "segment", "founded")
    if anchor_threshold is None:
        grouped = firms.group_by(*keys).aggregate(n=_.count())
        return grouped.mutate(anchors=ibis.literal(0, type="int64"))
    is_anchor = ibis.ifelse(firms["size"] >= anchor_threshold, 1, 0)
    return firms.group_by(*keys).aggregate(n=_.count(), anchors=is_anchor.sum().cast("int64"))


def _mix(units: ir.Table, stacked: ir.Table, categories: ir.Table, key: str) -> ir.Table:
    """Every unit x category (``key``: layer or segment) with its firm count, zeros kept, and its share
    of the unit's firms that have a ``key``."""
    grid = units.select("unit_type", "unit_key").cross_join(categories)
    counts = (
        stacked.filter(stacked[key].notnull())
        .group_by("unit_type", "unit_key", key)
        .aggregate(n=_.n.sum())
    )
    mix = grid.left_join(
        counts,
        [
            grid.unit_type == counts.unit_type,
            grid.unit_key == counts.unit_key,
            grid[key] == counts[key],
        ],
    ).select(*[grid[c] for c in grid.columns], n=counts.n.fill_null(0))
    mix = mix.mutate(total=mix.n.sum().over(group_by=[mix.unit_type, mix.unit_key]))
    return mix.mutate(share=ibis.ifelse(mix.total > 0, mix.n / mix.total, ibis.null("float64")))


def _location_quotients(mix: ir.Table, key: str) -> ir.Table:
    """Rows of ``mix`` with a share, joined to the nation's share of the same category (nat_share > 0)."""
    nation = mix.filter(mix.unit_type == "nation").select(mix[key], nat_share=mix.share)
    return mix.join(nation, key).filter(lambda t: t.share.notnull() & (t.nat_share > 0))


def derive_indicators(
    groups: ir.Table, taxonomy: Taxonomy, params: DeriveParams, with_anchors: bool
) -> ir.Table:
    """The long table of derived indicators (see the module docstring).

    ``anchor_threshold`` comes from :func:`anchor_threshold_query` executed on the same backend (one
    scalar, so both engines cut at the very same size); None skips ``inv_anchor_firms``.
    """
    seg_tab = ibis.memtable(
        pd.DataFrame(
            {
                "segment": taxonomy.codes,
                "layer": [s.layer for s in taxonomy],
            }
        )
    )
    layer_sizes = seg_tab.group_by("layer").aggregate(n_segments=_.count())
    n_all_segments = len(taxonomy)
    year = params.year

    # one small pre-aggregate feeds every stock indicator; the big table is scanned once here
    every = groups.group_by("city_code", "park_id", "layer", "segment").aggregate(n=_.n.sum())
    all_stacked = _units_of(every, {"layer": every.layer, "n": every.n})
    is_ai = all_stacked.layer.isin(list(LAYERS))
    units = all_stacked.group_by("unit_type", "unit_key").aggregate(
        total=ibis.ifelse(is_ai, all_stacked.n, 0).sum(),
        non_ai=ibis.ifelse(all_stacked.layer == NON_AI_LAYER, all_stacked.n, 0).sum(),
        unclassified=ibis.ifelse(all_stacked.layer.isnull(), all_stacked.n, 0).sum(),
    )
    base = every.filter(every.layer.isin(list(LAYERS)))
    stacked = _units_of(base, {"layer": base.layer, "segment": base.segment, "n": base.n})
    groups = groups.filter(groups.layer.isin(list(LAYERS)))  # anchors and new firms: AI firms only

    pieces: list[ir.Table] = [
        _long(units, ibis.literal("inv_firms_total"), units.total, year),
        _long(units, ibis.literal("inv_firms_non_ai"), units.non_ai, year),
        _long(units, ibis.literal("inv_firms_unclassified"), units.unclassified, year),
    ]

    # layers and segments, with zeros: every unit x category, counts, shares and location quotients
    lay = _mix(units, stacked, layer_sizes, "layer")
    pieces.append(_long(lay, "inv_firms_" + lay.layer, lay.n, year))
    pieces.append(_long(lay.filter(lay.share.notnull()), "inv_share_" + lay.layer, lay.share, year))
    lq = _location_quotients(lay, "layer")
    pieces.append(_long(lq, "inv_lq_" + lq.layer, lq.share / lq.nat_share, year))

    seg = _mix(units, stacked, seg_tab, "segment")
    pieces.append(_long(seg, "inv_firms_seg_" + seg.segment, seg.n, year))
    slq = _location_quotients(seg, "segment")
    pieces.append(_long(slq, "inv_lq_seg_" + slq.segment, slq.share / slq.nat_share, year))

    present = seg.mutate(present=ibis.ifelse(seg.n > 0, 1, 0))
    comp_layer = present.group_by("unit_type", "unit_key", "layer").aggregate(
        k=_.present.sum(), m=_.count()
    )
    pieces.append(
        _long(
            comp_layer,
            "inv_chain_completeness_" + comp_layer.layer,
            comp_layer.k / comp_layer.m,
            year,
        )
    )
    comp = present.group_by("unit_type", "unit_key").aggregate(k=_.present.sum())
    pieces.append(
        _long(comp, ibis.literal("inv_chain_completeness"), comp.k / n_all_segments, year)
    )

    hhi = (
        seg.filter(seg.share.notnull())
        .group_by("unit_type", "unit_key")
        .aggregate(value=(_.share * _.share).sum())
    )
    pieces.append(_long(hhi, ibis.literal("inv_hhi"), hhi.value, year))

    if with_anchors:
        anchors_base = groups.group_by("city_code", "park_id").aggregate(n=_.anchors.sum())
        anchors = (
            _units_of(anchors_base, {"n": anchors_base.n})
            .group_by("unit_type", "unit_key")
            .aggregate(n=_.n.sum())
        )
        a = units.left_join(
            anchors,
            [units.unit_type == anchors.unit_type, units.unit_key == anchors.unit_key],
        ).select(unit_type=units.unit_type, unit_key=units.unit_key, n=anchors.n.fill_null(0))
        pieces.append(_long(a, ibis.literal("inv_anchor_firms"), a.n, year))

    founded = groups.filter(groups.founded.notnull())
    new_base = founded.group_by("city_code", "park_id", "founded").aggregate(n=_.n.sum())
    new = (
        _units_of(new_base, {"founded": new_base.founded, "n": new_base.n})
        .group_by("unit_type", "unit_key", "founded")
        .aggregate(n=_.n.sum())
    )
    pieces.append(_long(new, ibis.literal("inv_new_firms"), new.n, new.founded))

    return ibis.union(*pieces, distinct=False)


def run_derivation(
    con: Any, firms: ir.Table, taxonomy: Taxonomy, params: DeriveParams
) -> pd.DataFrame:
    """Execute the derivation on backend ``con``; rows sorted so two engines compare row by row.

    Three passes over the firms run on the backend (firms with a size, the anchor threshold, the
    groups); the indicators are then derived from the small group table, on the same backend.
    """
    ai_firms = firms.filter(firms.layer.isin(list(LAYERS)))  # the anchor cut is among AI firms
    n_sized = int(con.execute(ai_firms.filter(ai_firms["size"].notnull()).count()))
    threshold = None
    q = anchor_threshold_query(ai_firms, params.anchor_share, n_sized)
    if q is not None:
        threshold = float(con.execute(q)["threshold"].iloc[0])
    groups = con.execute(firm_groups(firms, threshold))
    groups = groups.astype({"n": "int64", "anchors": "int64"})
    groups["founded"] = groups["founded"].astype("Int64")
    small = ibis.memtable(groups[list(GROUP_SCHEMA.names)], schema=GROUP_SCHEMA)
    out = con.execute(derive_indicators(small, taxonomy, params, threshold is not None))
    out = out[OUTPUT_COLUMNS].sort_values(["unit_type", "unit_key", "indicator", "year"])
    out = out.reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    out.attrs["anchor_threshold"] = threshold
    out.attrs["n_groups"] = len(groups)
    return out


def indicator_definitions(taxonomy: Taxonomy) -> pd.DataFrame:
    """Registry rows (code, name_zh, name_en, unit, direction, definition) for every derived code."""
    rows: list[tuple[str, str, str, str, int, str]] = [
        (
            "inv_firms_total",
            "AI企业数量（清单）",
            "AI firms in the inventory",
            "firms",
            1,
            "firms of the unit classified as AI firms (with a layer)",
        ),
        (
            "inv_firms_non_ai",
            "非AI企业数量（清单中）",
            "non-AI firms in the list",
            "firms",
            -1,
            "firms of the unit's list that the classifier calls not AI firms; counted in no other indicator",
        ),
        (
            "inv_firms_unclassified",
            "未分类企业数量",
            "unclassified firms",
            "firms",
            -1,
            "firms of the unit's list with no confident classification; counted in no other indicator",
        ),
        (
            "inv_chain_completeness",
            "产业链完整度",
            "chain completeness",
            "share",
            1,
            "share of taxonomy segments with at least one local firm",
        ),
        (
            "inv_hhi",
            "细分领域集中度（HHI）",
            "segment concentration (HHI)",
            "index 0-1",
            -1,
            "sum of squared segment shares of the classified firms",
        ),
        (
            "inv_anchor_firms",
            "链主/龙头企业数量",
            "anchor firms",
            "firms",
            1,
            "firms in the national top share by the chosen size measure",
        ),
        (
            "inv_new_firms",
            "新设AI企业数量",
            "new AI firms",
            "firms",
            1,
            "firms founded in the year",
        ),
    ]
    for layer in LAYERS:
        zh, en = LAYER_NAMES_ZH[layer], LAYER_NAMES_EN[layer].lower()
        rows += [
            (
                f"inv_firms_{layer}",
                f"{zh}企业数量",
                f"firms, {en}",
                "firms",
                1,
                f"firms classified in the {en}",
            ),
            (
                f"inv_share_{layer}",
                f"{zh}企业占比",
                f"share of firms, {en}",
                "share",
                1,
                f"{en} firms / firms with a layer",
            ),
            (
                f"inv_lq_{layer}",
                f"{zh}区位商",
                f"location quotient, {en}",
                "ratio",
                1,
                f"local {en} share / national {en} share",
            ),
            (
                f"inv_chain_completeness_{layer}",
                f"{zh}产业链完整度",
                f"chain completeness, {en}",
                "share",
                1,
                f"share of the {en}'s segments with at least one local firm",
            ),
        ]
    for s in taxonomy:
        rows += [
            (
                f"inv_firms_seg_{s.code}",
                f"{s.name_zh}企业数量",
                f"firms, {s.name_en}",
                "firms",
                1,
                f"firms whose primary segment is {s.code}",
            ),
            (
                f"inv_lq_seg_{s.code}",
                f"{s.name_zh}区位商",
                f"location quotient, {s.name_en}",
                "ratio",
                1,
                f"local share / national share of segment {s.code}",
            ),
        ]
    return pd.DataFrame(
        rows, columns=["code", "name_zh", "name_en", "unit", "direction", "definition"]
    )
