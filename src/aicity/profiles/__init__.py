"""Profiles (画像) of evaluated cities and parks: scores, ranks, strengths, weaknesses, layer mix, coverage,
and a verdict (总体印象) whose every sentence is generated from numbers.
"""

from aicity.profiles.profile import DimensionScore, IndicatorPosition, Profile, build_profiles
from aicity.profiles.verdict import layer_mix_sentence, verdict

__all__ = [
    "DimensionScore",
    "IndicatorPosition",
    "Profile",
    "build_profiles",
    "layer_mix_sentence",
    "verdict",
]
