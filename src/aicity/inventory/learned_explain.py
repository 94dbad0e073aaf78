"""The learned classifier's explanations: the terms behind each answer and the output rows.

Per firm, the features that pushed hardest toward its outcome (tf-idf x coefficient, the ``k`` largest
positive contributions found by ``k`` rounds of a per-row maximum), the secondary segments, and the
explanation string, e.g. ``ai_chips p=0.81 (AI 0.97, foundation 0.81); terms: 芯片 (+1.90); rules:
scope: GPU``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicity.inventory.taxonomy import LAYERS

METHOD = "learned"


def top_entries(starts: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, position) of each row's ``k`` largest positive values, largest first, ties to the first.

    ``k`` rounds of a per-row maximum (``reduceat``) over the positive values only: linear, where
    sorting millions of entries is not.
    """
    pos = np.flatnonzero(values > 0)
    if not len(pos) or k <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    vals = values[pos]
    row = np.searchsorted(starts, pos, side="right") - 1
    first = np.ones(len(pos), dtype=bool)
    first[1:] = row[1:] != row[:-1]
    seg_starts = np.flatnonzero(first)
    seg_len = np.diff(np.append(seg_starts, len(pos)))
    index = np.arange(len(pos))
    rows, picks = [], []
    for _ in range(k):
        best = np.maximum.reduceat(vals, seg_starts)
        at = np.minimum.reduceat(
            np.where(vals == np.repeat(best, seg_len), index, len(pos)), seg_starts
        )
        ok = best > -np.inf
        rows.append(row[seg_starts[ok]])
        picks.append(pos[at[ok]])
        vals[at[ok]] = -np.inf
    all_rows, all_picks = np.concatenate(rows), np.concatenate(picks)
    order = np.argsort(all_rows, kind="stable")  # by row, then by round
    return all_rows[order], all_picks[order]


def fixed2(values: np.ndarray) -> np.ndarray:
    """``f"{v:.2f}"`` of every value, as an object array; a value within a hair of a rounding tie (or
    negative, or huge) is formatted by Python itself, so the text is always the same."""
    v = np.asarray(values, dtype=np.float64)
    scaled = v * 100.0
    fast = np.isfinite(scaled) & (v >= 0) & ~np.signbit(v) & (v < 1e12)
    fast &= np.abs(scaled - np.floor(np.where(fast, scaled, 0.0)) - 0.5) > 1e-6
    cents = np.rint(np.where(fast, scaled, 0.0)).astype(np.int64)
    distinct, inverse = np.unique(cents, return_inverse=True)
    out = np.array([f"{c // 100}.{c % 100:02d}" for c in distinct.tolist()], dtype=object)[inverse]
    for i in np.flatnonzero(~fast).tolist():
        out[i] = f"{v[i]:.2f}"
    return out


def term_lists(
    starts: np.ndarray,
    indices: np.ndarray,
    contrib: np.ndarray,
    names: np.ndarray,
    top_terms: int,
) -> np.ndarray:
    """Per firm: its ``top_terms`` features of largest positive contribution, as "term (+0.12)",
    joined by ", " (an object array; "" for a firm with none)."""
    n = len(starts) - 1
    row, picked = top_entries(starts, contrib, top_terms)
    labels = names[indices[picked]] + " (+" + fixed2(contrib[picked]) + ")"
    counts = np.bincount(row, minlength=n)
    rank = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    terms = np.full(n, "", dtype=object)
    for r in range(top_terms):
        at = rank == r
        if r == 0:
            terms[row[at]] = labels[at]
        else:
            terms[row[at]] = terms[row[at]] + ", " + labels[at]
    return terms


def secondary_tags(
    classes: np.ndarray, order: np.ndarray, within: np.ndarray, pa: np.ndarray
) -> np.ndarray:
    """Up to 3 further segments of the chosen layer with p_ai x p >= 0.1, ';'-joined."""
    w = np.take_along_axis(within, order, axis=1)
    ok = (w > 0) & (pa[:, None] * w >= 0.1)
    codes = classes[order]
    tags = np.full(len(order), "", dtype=object)
    for j in range(order.shape[1]):
        keep = ok[:, j]
        joined = np.where(tags[keep] == "", codes[keep, j], tags[keep] + ";" + codes[keep, j])
        tags[keep] = joined
    return tags


def explained_frame(
    ids: list[str],
    rule_texts: list[str],
    terms: np.ndarray,
    *,
    outcome: np.ndarray,
    options: np.ndarray,
    pa: np.ndarray,
    conf: np.ndarray,
    model_seg: np.ndarray,
    seg: np.ndarray,
    lay: np.ndarray,
    p_seg: np.ndarray,
    p_lay: np.ndarray,
    from_rules: np.ndarray,
    no_segment: np.ndarray,
    secondary: np.ndarray,
    columns: list[str],
) -> pd.DataFrame:
    """The output rows with their explanation strings, built a column at a time."""
    n = len(ids)
    rules = np.asarray(rule_texts, dtype=object)
    rule_tail = np.where(rules != "", "; rules: " + rules, "; rules: no keyword")
    tail = np.where(terms != "", "; terms: " + terms, "") + rule_tail
    expl = np.full(n, "", dtype=object)
    unsure = outcome == "unclassified"
    if unsure.any():
        labels = np.array(["non_ai", *LAYERS], dtype=object)
        top2 = np.argsort(-options[unsure], axis=1, kind="stable")[:, :2]
        p2 = np.take_along_axis(options[unsure], top2, axis=1)
        expl[unsure] = (
            "unclassified: "
            + labels[top2[:, 0]]
            + " "
            + fixed2(p2[:, 0])
            + ", "
            + labels[top2[:, 1]]
            + " "
            + fixed2(p2[:, 1])
            + rule_tail[unsure]
        )
    non_ai = outcome == "non_ai"
    if non_ai.any():
        expl[non_ai] = "not an AI firm p=" + fixed2(1 - pa[non_ai]) + tail[non_ai]
    ai = outcome == "ai"
    f_seg, f_lay, f_pa = fixed2(p_seg), fixed2(p_lay), fixed2(pa)
    rule_seg = ai & from_rules
    expl[rule_seg] = (
        seg[rule_seg]
        + " from the rules (model unsure: "
        + model_seg[rule_seg]
        + " p="
        + f_seg[rule_seg]
        + "; "
        + lay[rule_seg]
        + " "
        + f_lay[rule_seg]
        + ")"
    )
    no_seg = ai & ~from_rules & no_segment
    expl[no_seg] = (
        lay[no_seg] + ", segment unsure (" + model_seg[no_seg] + " p=" + f_seg[no_seg] + ")"
    )
    model = ai & ~from_rules & ~no_segment
    expl[model] = (
        model_seg[model]
        + " p="
        + f_seg[model]
        + " (AI "
        + f_pa[model]
        + ", "
        + lay[model]
        + " "
        + f_lay[model]
        + ")"
    )
    expl[ai] = expl[ai] + tail[ai]
    none = np.full(n, None, dtype=object)
    return pd.DataFrame(
        {
            "enterprise_id": ids,
            "segment": np.where(ai & ~no_segment, seg, none).tolist(),
            "layer": np.where(ai, lay, none).tolist(),
            "secondary": np.where(ai, secondary, "").tolist(),
            "confidence": conf.astype("float64"),
            "score": np.where(ai, p_lay, conf).astype("float64"),
            "explanation": expl.tolist(),
            "method": [METHOD] * n,
            "outcome": outcome.tolist(),
            "p_ai": pa.astype("float64"),
        },
        columns=columns,
    )
