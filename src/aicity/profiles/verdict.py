"""Verdict sentences (总体印象) generated from a profile's numbers, in Chinese and English.

Rule: no sentence without a number behind it. Each sentence quotes the figures it rests on (score, rank,
gap to the median city (or park), firm counts and shares), so a reader can check it against the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aicity.layers import LAYER_NAMES_ZH, LAYERS, NATIONAL_LAYER_SHARE

if TYPE_CHECKING:
    from aicity.profiles.profile import Profile

LAYER_ZH = LAYER_NAMES_ZH
LAYER_EN = {code: code for code in LAYERS}  # "technology-layer firms" reads the code itself
# A layer-mix claim needs at least this many classified firms from a registry-kind list; a curated sample
# (like the bundled 77 firms) never stands for a city's population of firms.
MIN_FIRMS_FOR_MIX = 30
CLEAR_GAP = 5.0  # points on a 0-100 scale: smaller gaps to the median are "close to the median"


def _noun(profile: Profile, lang: str) -> str:
    park = getattr(profile, "unit_type", "city") == "park"
    if lang == "zh":
        return "园区" if park else "城市"
    return "park" if park else "city"


def _rank_phrase(profile: Profile, lang: str) -> str:
    interval = ""
    if profile.rank_low is not None and profile.rank_high is not None:
        low, high = round(profile.rank_low), round(profile.rank_high)
        if low != high:
            interval = (
                f"，90%区间第{low}–{high}位" if lang == "zh" else f" (90% interval {low}–{high})"
            )
    if lang == "zh":
        return f"综合得分{profile.score:.1f}，在{profile.n_units}个{_noun(profile, 'zh')}中排名第{profile.rank}位{interval}"
    return (
        f"scores {profile.score:.1f} overall, ranked {profile.rank} of {profile.n_units}{interval}"
    )


def _dimension_sentence(profile: Profile, lang: str) -> str:
    dims = [d for d in profile.dimensions if d.score == d.score and d.median == d.median]
    if not dims:
        return ""
    gaps = sorted(((d.score - d.median, d) for d in dims), key=lambda x: x[0])
    low_gap, weakest = gaps[0]
    high_gap, strongest = gaps[-1]
    if lang == "zh":
        if high_gap >= CLEAR_GAP and low_gap <= -CLEAR_GAP:
            return (
                f"{strongest.name_zh}（{strongest.score:.1f}分）高于中位{_noun(profile, 'zh')}{high_gap:.1f}分，"
                f"{weakest.name_zh}（{weakest.score:.1f}分）低于中位{_noun(profile, 'zh')}{-low_gap:.1f}分"
            )
        if high_gap >= CLEAR_GAP:
            return f"优势在{strongest.name_zh}（{strongest.score:.1f}分，高于中位{_noun(profile, 'zh')}{high_gap:.1f}分）"
        if low_gap <= -CLEAR_GAP:
            return f"短板在{weakest.name_zh}（{weakest.score:.1f}分，低于中位{_noun(profile, 'zh')}{-low_gap:.1f}分）"
        spread = max(abs(low_gap), abs(high_gap))
        return f"三个维度得分均在中位{_noun(profile, 'zh')}上下{spread:.1f}分以内"
    if high_gap >= CLEAR_GAP and low_gap <= -CLEAR_GAP:
        return (
            f"{strongest.name_en} ({strongest.score:.1f}) is {high_gap:.1f} points above the median {_noun(profile, 'en')} "
            f"and {weakest.name_en} ({weakest.score:.1f}) {-low_gap:.1f} points below it"
        )
    if high_gap >= CLEAR_GAP:
        return (
            f"its strength is {strongest.name_en} ({strongest.score:.1f}, {high_gap:.1f} points above "
            f"the median {_noun(profile, 'en')})"
        )
    if low_gap <= -CLEAR_GAP:
        return (
            f"its weak spot is {weakest.name_en} ({weakest.score:.1f}, {-low_gap:.1f} points below "
            f"the median {_noun(profile, 'en')})"
        )
    spread = max(abs(low_gap), abs(high_gap))
    return (
        f"all three dimensions are within {spread:.1f} points of the median {_noun(profile, 'en')}"
    )


def layer_mix_sentence(
    layer_counts: dict[str, int],
    segment_counts: dict[str, int] | None = None,
    segment_names: dict[str, tuple[str, str]] | None = None,
    lang: str = "zh",
) -> str:
    """One sentence on the layer mix of a unit's mapped firms, or "" when there are too few firms.

    Compares the shares with the national reference mix and names the largest segments, e.g.
    "依托大模型、计算机视觉等产业集群，技术层和应用层企业偏多（12家中占11家，92%）".
    """
    total = sum(layer_counts.values())
    if total < MIN_FIRMS_FOR_MIX:
        return ""
    shares = {layer: layer_counts.get(layer, 0) / total for layer in NATIONAL_LAYER_SHARE}
    lead = ""
    if segment_counts:
        names = segment_names or {}
        top = [
            code
            for code, n in sorted(segment_counts.items(), key=lambda x: (-x[1], x[0]))
            if n >= 2
        ][:2]
        if top:
            if lang == "zh":
                lead = "依托" + "、".join(names.get(c, (c, c))[0] for c in top) + "等产业集群，"
            else:
                lead = (
                    "built on clusters in "
                    + " and ".join(names.get(c, (c, c))[1] for c in top)
                    + ", "
                )
    # Which layers are over-represented against the national mix, by at least 5 points?
    over = [layer for layer, share in shares.items() if share - NATIONAL_LAYER_SHARE[layer] >= 0.05]
    upper = layer_counts.get("technology", 0) + layer_counts.get("application", 0)
    if lang == "zh":
        if over:
            counted = sum(layer_counts.get(layer, 0) for layer in over)
            return (
                f"{lead}{'和'.join(LAYER_ZH[x] for x in over)}企业偏多"
                f"（收录{total}家中占{counted}家，{counted / total:.0%}；全国参考"
                f"{sum(NATIONAL_LAYER_SHARE[x] for x in over):.0%}）"
            )
        return f"{lead}技术层和应用层企业占收录{total}家中的{upper}家（{upper / total:.0%}），与全国结构相近"
    if over:
        counted = sum(layer_counts.get(layer, 0) for layer in over)
        return (
            f"{lead}{' and '.join(LAYER_EN[x] for x in over)}-layer firms are over-represented "
            f"({counted} of {total} mapped firms, {counted / total:.0%}; national reference "
            f"{sum(NATIONAL_LAYER_SHARE[x] for x in over):.0%})"
        )
    return (
        f"{lead}technology- and application-layer firms make up {upper} of {total} mapped firms "
        f"({upper / total:.0%}), close to the national mix"
    )


def registry_mix_sentence(profile: Profile, lang: str = "zh") -> str:
    """The layer-mix clause from registry firms only, against the same registry's mix over all units; ""
    below ``MIN_FIRMS_FOR_MIX`` firms or without a registry reference."""
    counts = profile.registry_layer_counts
    reference = profile.reference_layer_counts
    total, ref_total = sum(counts.values()), sum(reference.values())
    if total < MIN_FIRMS_FOR_MIX or ref_total <= total:
        return ""
    upper = counts.get("technology", 0) + counts.get("application", 0)
    share = upper / total
    ref_share = (reference.get("technology", 0) + reference.get("application", 0)) / ref_total
    gap = share - ref_share
    if lang == "zh":
        tendency = "偏多" if gap >= 0.05 else "偏少" if gap <= -0.05 else "与参考相近"
        return (
            f"企业名录（登记口径）中技术层和应用层企业{tendency}"
            f"（{total}家中占{upper}家，{share:.0%}；同一名录全部{ref_total}家为{ref_share:.0%}）"
        )
    tendency = (
        "over-represented" if gap >= 0.05 else "under-represented" if gap <= -0.05 else "close to"
    )
    if tendency == "close to":
        return (
            f"technology- and application-layer firms are {upper} of {total} registry firms "
            f"({share:.0%}), close to the {ref_share:.0%} of all {ref_total} firms in the same registry"
        )
    return (
        f"technology- and application-layer firms are {tendency} among its registry firms ({upper} of "
        f"{total}, {share:.0%}; {ref_share:.0%} of all {ref_total} firms in the same registry)"
    )


@dataclass(frozen=True)
class Claim:
    """One clause of a verdict, with what it rests on: ``basis_n`` facts of ``basis_kind`` (``cells``:
    real indicator cells; ``registry``: firms of a registry-kind list; ``uncertainty``: the run's rank
    intervals). ``synthetic`` marks a clause drawn from synthetic firms."""

    kind: str  # rank | dimension | comparison | layer_mix
    text_zh: str
    text_en: str
    basis_n: int
    basis_kind: str
    synthetic: bool = False

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


def _separate(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> bool:
    """True when interval ``a`` lies wholly above (better rank than) interval ``b``."""
    return a[1] is not None and b[0] is not None and a[1] < b[0]


def comparison_claim(profile: Profile, neighbours: list[Profile]) -> Claim | None:
    """ "Leads / trails" a neighbour in rank only where the 90 % rank intervals separate; otherwise
    "comparable to". ``neighbours``: the units ranked just above and below. None without intervals."""
    mine = (profile.rank_low, profile.rank_high)
    if profile.rank is None or None in mine:
        return None
    ahead, behind, comparable = [], [], []
    for other in neighbours:
        theirs = (other.rank_low, other.rank_high)
        if other.rank is None or None in theirs:
            continue
        if _separate(mine, theirs):
            ahead.append(other)
        elif _separate(theirs, mine):
            behind.append(other)
        else:
            comparable.append(other)
    if not (ahead or behind or comparable):
        return None
    # (units, Chinese lead and tail, English lead and tail), in the order the clause reads
    groups = (
        (
            comparable,
            "与",
            "相当（90%排名区间重叠）",
            "comparable to ",
            " (overlapping 90% rank intervals)",
        ),
        (behind, "落后于", "（90%排名区间不重叠）", "behind ", " (separate 90% rank intervals)"),
        (ahead, "领先于", "（90%排名区间不重叠）", "ahead of ", " (separate 90% rank intervals)"),
    )
    zh = [f"{a}{'、'.join(o.name('zh') for o in us)}{b}" for us, a, b, _, _ in groups if us]
    en = [f"{c}{' and '.join(o.name('en') for o in us)}{d}" for us, _, _, c, d in groups if us]
    return Claim("comparison", "，".join(zh), "; ".join(en), len(neighbours) + 1, "uncertainty")


def claims(profile: Profile, neighbours: list[Profile] | None = None) -> list[Claim]:
    """The verdict's clauses, each with its basis."""
    n_real = getattr(profile, "real_cells", None)
    basis = int(n_real) if n_real is not None else int(profile.n_observed)
    if profile.rank is None:
        total = getattr(profile, "total_cells", None) or profile.n_indicators
        return [
            Claim(
                "rank",
                f"{profile.name('zh')}数据不足（{total}项计分指标中{basis}项有可核实数据），未参与排名",
                f"{profile.name('en')}: insufficient data ({basis} of {total} scored indicators "
                "with real data), not ranked",
                basis,
                "cells",
            )
        ]
    first = Claim(
        "rank",
        f"{profile.name('zh')}{_rank_phrase(profile, 'zh')}",
        f"{profile.name('en')} {_rank_phrase(profile, 'en')}",
        basis,
        "cells",
    )
    out = [first]
    dim_zh, dim_en = _dimension_sentence(profile, "zh"), _dimension_sentence(profile, "en")
    if dim_zh:
        out.append(Claim("dimension", dim_zh, dim_en, basis, "cells"))
    compared = comparison_claim(profile, neighbours or [])
    if compared is not None:
        out.append(compared)
    mix_zh, mix_en = registry_mix_sentence(profile, "zh"), registry_mix_sentence(profile, "en")
    if mix_zh:
        synthetic = bool(getattr(profile, "registry_synthetic", False))
        if synthetic:
            mix_zh += "（合成数据，仅供测试）"
            mix_en += " (synthetic data, for testing only)"
        out.append(
            Claim(
                "layer_mix",
                mix_zh,
                mix_en,
                sum(profile.registry_layer_counts.values()),
                "registry",
                synthetic,
            )
        )
    return out


def join_claims(items: list[Claim], lang: str) -> str:
    """The verdict text: the first clause, then the others as one sentence."""
    if not items:
        return ""
    first, rest = items[0].text(lang), [c.text(lang) for c in items[1:] if c.text(lang)]
    if lang == "zh":
        return f"{first}。" + ("；".join(rest) + "。" if rest else "")
    text = f"{first}."
    if rest:
        joined = "; ".join(rest)
        text += " " + joined[0].upper() + joined[1:] + "."
    return text


def verdict(profile: Profile, lang: str = "zh", neighbours: list[Profile] | None = None) -> str:
    """The overall impression: two sentences, each quoting the numbers behind it."""
    return join_claims(claims(profile, neighbours), lang)
