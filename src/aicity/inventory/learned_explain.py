"""The learned classifier's explanations: the terms behind each answer and the output rows.

Per firm, the features that pushed hardest toward its outcome (tf-idf x coefficient, the ``k`` largest
positive contributions found by ``k`` rounds of a per-row maximum), the secondary segments, and the
explanation string, e.g. ``ai_chips p=0.81 (AI 0.97, foundation 0.81); terms: 芯片 (+1.90); rules:
scope: GPU``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aicity.inventory.rules import explanation_of
from aicity.inventory.taxonomy import LAYERS

METHOD = "learned"


def top_entries(starts: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, position) of each row's ``k`` largest positive values, largest first, ties to the first.

    ``k`` rounds of a per-row maximum (``reduceat``): linear, where sorting millions of entries is not.
    """
    vals = np.where(values > 0, values, -np.inf)
    nonempty = np.flatnonzero(np.diff(starts))
    seg_starts = starts[:-1][nonempty]
    row_of = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    index = np.arange(len(vals))
    rows, picks = [], []
    for rnd in range(k):
        if not len(vals):
            break
        best = np.maximum.reduceat(vals, seg_starts)
        top = np.full(len(starts) - 1, -np.inf)
        top[nonempty] = best
        first = np.where(vals == top[row_of], index, len(vals))
        at = np.minimum.reduceat(first, seg_starts)
        ok = (best > -np.inf) & (at < len(vals))
        rows.append(np.column_stack([nonempty[ok], np.full(int(ok.sum()), rnd)]))
        picks.append(at[ok])
        vals[at[ok]] = -np.inf
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keyed = np.concatenate(rows)
    pos = np.concatenate(picks)
    order = np.lexsort((keyed[:, 1], keyed[:, 0]))
    return keyed[order, 0], pos[order]


def term_lists(
    starts: np.ndarray,
    indices: np.ndarray,
    contrib: np.ndarray,
    names: np.ndarray,
    top_terms: int,
) -> list[str]:
    """Per firm: its ``top_terms`` features of largest positive contribution, as "term (+0.12)"."""
    n = len(starts) - 1
    row, picked = top_entries(starts, contrib, top_terms)
    labels = [
        f"{t} (+{c:.2f})"
        for t, c in zip(names[indices[picked]].tolist(), contrib[picked].tolist(), strict=True)
    ]
    terms = [""] * n
    bounds = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))]).tolist()
    for i in np.flatnonzero(np.diff(bounds)).tolist():
        terms[i] = ", ".join(labels[bounds[i] : bounds[i + 1]])
    return terms


def secondary_tags(
    classes: np.ndarray, order: np.ndarray, within: np.ndarray, pa: np.ndarray
) -> list[str]:
    """Up to 3 further segments of the chosen layer with p_ai x p >= 0.1, ';'-joined."""
    w = np.take_along_axis(within, order, axis=1)
    ok = ((w > 0) & (pa[:, None] * w >= 0.1)).tolist()
    codes = classes[order].tolist()
    return [
        ";".join(c for c, keep in zip(cs, oks, strict=True) if keep)
        for cs, oks in zip(codes, ok, strict=True)
    ]


def explained_rows(
    ids: list[str],
    hits: list[dict[str, set[str]]],
    terms: list[str],
    *,
    outcome: list[str],
    options: np.ndarray,
    pa: list[float],
    conf: list[float],
    model_seg: list[str],
    seg: list[str],
    lay: list[str],
    p_seg: list[float],
    p_lay: list[float],
    from_rules: list[bool],
    no_segment: list[bool],
    secondary: list[str],
) -> list[tuple[Any, ...]]:
    """The output rows with their explanation strings (plain Python values: numpy scalars are slow)."""
    labels = ("non_ai", *LAYERS)
    rows: list[tuple[Any, ...]] = []
    for i, o in enumerate(outcome):
        h = hits[i]
        rule_text = explanation_of(sorted(h["name"]), sorted(h["scope"]))
        rule_tail = f"; rules: {rule_text}" if rule_text else "; rules: no keyword"
        tail = (f"; terms: {terms[i]}" if terms[i] else "") + rule_tail
        if o == "unclassified":
            opts = options[i].tolist()
            top2 = sorted(range(len(opts)), key=lambda j: -opts[j])[:2]
            expl = "unclassified: " + ", ".join(f"{labels[j]} {opts[j]:.2f}" for j in top2)
            rows.append(
                (ids[i], None, None, "", conf[i], conf[i], expl + rule_tail, METHOD, o, pa[i])
            )
            continue
        if o == "non_ai":
            expl = f"not an AI firm p={1 - pa[i]:.2f}" + tail
            rows.append((ids[i], None, None, "", conf[i], conf[i], expl, METHOD, o, pa[i]))
            continue
        if from_rules[i]:
            lead = (
                f"{seg[i]} from the rules (model unsure: {model_seg[i]} p={p_seg[i]:.2f}; "
                f"{lay[i]} {p_lay[i]:.2f})"
            )
        elif no_segment[i]:
            lead = f"{lay[i]}, segment unsure ({model_seg[i]} p={p_seg[i]:.2f})"
        else:
            lead = f"{model_seg[i]} p={p_seg[i]:.2f} (AI {pa[i]:.2f}, {lay[i]} {p_lay[i]:.2f})"
        segment = None if no_segment[i] else seg[i]
        rows.append(
            (
                ids[i],
                segment,
                lay[i],
                secondary[i],
                conf[i],
                p_lay[i],
                lead + tail,
                METHOD,
                o,
                pa[i],
            )
        )
    return rows
