"""From a spec to sampled assumptions: a unit hypercube sample, decoded into recipe values and weights.

Every assumption owns one or more columns of the hypercube: one for a choice, a uniform range or a
leave-one-out; one per perturbed node for weight noise and Dirichlet weights (grouped under the
assumption's name for the Sobol indices). Uncertainty analysis samples the hypercube with a seeded NumPy
generator (plain Monte Carlo, as COINr); sensitivity analysis uses SALib's Sobol sampler.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from aicity.errors import ConfigError
from aicity.index.uncertainty.kernels import Tree
from aicity.index.uncertainty.spec import (
    Choice,
    LeaveOneOut,
    UncertaintySpec,
    Uniform,
    WeightDirichlet,
    WeightNoise,
)

NONE_LEFT_OUT = "none"


@dataclass(frozen=True)
class Block:
    """The hypercube columns of one assumption and the tree nodes they act on (weights only)."""

    label: str
    assumption: Any
    columns: slice
    nodes: tuple[tuple[int, int], ...] = ()  # (tree level, position) per column

    @property
    def width(self) -> int:
        return self.columns.stop - self.columns.start


def _value_label(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Draws:
    """Decoded assumptions for R replications."""

    design: Design
    unit_sample: np.ndarray  # (R, D) in [0, 1)
    weight_sets: dict[str, np.ndarray] = field(default_factory=dict)  # label -> (K, width) factors

    def subset(self, rows: np.ndarray) -> Draws:
        return Draws(self.design, self.unit_sample[rows], self.weight_sets)

    @property
    def n(self) -> int:
        return self.unit_sample.shape[0]

    def block_values(self, block: Block) -> np.ndarray:
        return self.unit_sample[:, block.columns]

    def choice_index(self, block: Block) -> np.ndarray:
        """Index of the chosen alternative: x in [0, 1) cut into equal-width bins."""
        k = self.design.n_alternatives(block)
        return np.minimum((self.block_values(block)[:, 0] * k).astype(np.intp), k - 1)

    def uniform_value(self, block: Block) -> np.ndarray:
        low, high = block.assumption.uniform
        x = self.block_values(block)[:, 0]
        if block.assumption.integer:
            return np.minimum(np.floor(low + x * (high - low + 1)), high)
        return low + x * (high - low)

    def recipe_values(self, r: int) -> dict[str, Any]:
        """label -> value of every recipe assumption of replication ``r`` (for building or logging)."""
        out: dict[str, Any] = {}
        for block in self.design.recipe_blocks:
            if isinstance(block.assumption, Choice):
                out[block.label] = block.assumption.values[int(self.choice_index(block)[r])]
            else:
                value = float(self.uniform_value(block)[r])
                out[block.label] = int(value) if block.assumption.integer else value
        return out

    def recipe_keys(self) -> np.ndarray:
        """``(R, n_recipe_blocks)`` float codes: equal rows share one pipeline run."""
        cols = []
        for block in self.design.recipe_blocks:
            if isinstance(block.assumption, Choice):
                cols.append(self.choice_index(block).astype(float))
            else:
                cols.append(self.uniform_value(block))
        return np.column_stack(cols) if cols else np.zeros((self.n, 0))

    def samples_frame(self, nominal_weights: dict[str, float]) -> pd.DataFrame:
        """One row per replication, one column per sampled quantity, readable values."""
        data: dict[str, Any] = {"replication": np.arange(1, self.n + 1)}
        for block in self.design.blocks:
            a = block.assumption
            if isinstance(a, Choice):
                labels = [_value_label(v) for v in a.values]
                data[block.label] = [labels[i] for i in self.choice_index(block)]
            elif isinstance(a, Uniform):
                data[block.label] = self.uniform_value(block)
            elif isinstance(a, LeaveOneOut):
                options = self.design.leave_out_options(block)
                data[block.label] = [options[i] or NONE_LEFT_OUT for i in self.choice_index(block)]
            elif isinstance(a, WeightNoise):
                if a.sets:
                    data[f"{block.label}:set"] = self.choice_index(block) + 1
                factors = self.noise_factors(block)
                for j, (level, pos) in enumerate(block.nodes):
                    data[f"{block.label}:{self.design.tree.levels[level][pos]}"] = factors[:, j]
            elif isinstance(a, WeightDirichlet):
                nominal = np.array(
                    [nominal_weights[self.design.tree.levels[lv][p]] for lv, p in block.nodes]
                )
                shares = self.dirichlet_weights(block, nominal)
                for j, (level, pos) in enumerate(block.nodes):
                    data[f"{block.label}:{self.design.tree.levels[level][pos]}"] = shares[:, j]
        return pd.DataFrame(data)

    def noise_factors(self, block: Block) -> np.ndarray:
        """``(R, width)`` multipliers U(1 - noise, 1 + noise) (or the pre-drawn set each replication picks)."""
        if block.assumption.sets:
            return self.weight_sets[block.label][self.choice_index(block)]
        return 1.0 + block.assumption.noise * (2.0 * self.block_values(block) - 1.0)

    def dirichlet_weights(self, block: Block, nominal: np.ndarray) -> np.ndarray:
        """``(R, width)`` weights: per sibling group, Dirichlet(concentration * nominal share), rescaled to
        the group's nominal total, drawn by inverse-CDF of independent gammas (so Sobol samples work)."""
        from scipy import stats  # ~0.5 s to import: only Dirichlet weights need it

        x = np.clip(self.block_values(block), 1e-12, 1 - 1e-12)
        out = np.empty_like(x)
        for members in self.design.sibling_groups(block):
            share = nominal[members] / nominal[members].sum()
            gammas = stats.gamma.ppf(x[:, members], block.assumption.dirichlet * share)
            out[:, members] = gammas / gammas.sum(axis=1, keepdims=True) * nominal[members].sum()
        return out


@dataclass
class Design:
    """The hypercube layout for one spec on one tree."""

    spec: UncertaintySpec
    tree: Tree
    blocks: list[Block]

    @classmethod
    def build(cls, spec: UncertaintySpec, tree: Tree) -> Design:
        blocks: list[Block] = []
        start = 0
        top = len(tree.levels)  # the index level (1-based) has no weight of its own
        for i, (label, a) in enumerate(zip(spec.labels, spec.assumptions, strict=True)):
            nodes: tuple[tuple[int, int], ...] = ()
            if isinstance(a, WeightNoise | WeightDirichlet):
                bad = [lv for lv in a.levels if not 1 <= lv < top]
                if bad:
                    raise ConfigError(
                        f"weight levels must be between 1 and {top - 1} (level {top} is the index), got {bad}",
                        path=f"spec -> assumptions[{i}] -> levels",
                    )
                chosen = [
                    (lv - 1, p)
                    for lv in sorted(set(a.levels))
                    for p in range(len(tree.levels[lv - 1]))
                ]
                for code in a.codes:
                    try:
                        located = tree.locate(code)
                    except KeyError:
                        located = (top - 1, 0)  # reported below as not a weighted node
                    if located[0] >= top - 1:
                        weighted = [c for level in tree.levels[:-1] for c in level]
                        raise ConfigError(
                            f"{code!r} is not a weighted node; expected one of {weighted[:8]}...",
                            path=f"spec -> assumptions[{i}] -> codes",
                        )
                    if located not in chosen:
                        chosen.append(located)
                nodes = tuple(chosen)
            elif isinstance(a, LeaveOneOut) and not 1 <= a.level < top:
                raise ConfigError(
                    f"leave_out level must be between 1 and {top - 1}, got {a.level}",
                    path=f"spec -> assumptions[{i}] -> level",
                )
            width = 1 if isinstance(a, WeightNoise) and a.sets else max(len(nodes), 1)
            blocks.append(Block(label, a, slice(start, start + width), nodes))
            start += width
        return cls(spec, tree, blocks)

    @property
    def n_columns(self) -> int:
        return self.blocks[-1].columns.stop

    @property
    def recipe_blocks(self) -> list[Block]:
        return [b for b in self.blocks if isinstance(b.assumption, Choice | Uniform)]

    @property
    def weight_blocks(self) -> list[Block]:
        return [
            b
            for b in self.blocks
            if isinstance(b.assumption, WeightNoise | WeightDirichlet | LeaveOneOut)
        ]

    def n_alternatives(self, block: Block) -> int:
        if isinstance(block.assumption, LeaveOneOut):
            return len(self.leave_out_options(block))
        if isinstance(block.assumption, WeightNoise):
            return int(block.assumption.sets or 0)
        return len(block.assumption.values)

    def leave_out_options(self, block: Block) -> list[str | None]:
        codes: list[str | None] = list(self.tree.levels[block.assumption.level - 1])
        return [None, *codes] if block.assumption.include_none else codes

    def sibling_groups(self, block: Block) -> list[np.ndarray]:
        """Column positions of the block grouped by (level, parent)."""
        keys = [(lv, int(self.tree.parents[lv][p])) for lv, p in block.nodes]
        groups: dict[tuple[int, int], list[int]] = {}
        for j, key in enumerate(keys):
            groups.setdefault(key, []).append(j)
        return [np.array(g) for g in groups.values()]

    # ------------------------------------------------------------------------------------- sampling

    def uniform_sample(self, n: int, seed: int) -> Draws:
        """Plain Monte Carlo: ``n`` independent rows, reproducible from ``seed``."""
        rng = np.random.default_rng(seed)
        return Draws(self, rng.random((n, self.n_columns)), self.weight_sets(seed))

    def weight_sets(self, seed: int) -> dict[str, np.ndarray]:
        """The K noisy factor sets of every ``sets: K`` noise assumption, from their own stream."""
        out = {}
        for i, block in enumerate(self.blocks):
            a = block.assumption
            if isinstance(a, WeightNoise) and a.sets:
                rng = np.random.default_rng([seed, 104729, i])
                out[block.label] = 1.0 + a.noise * (
                    2.0 * rng.random((a.sets, len(block.nodes))) - 1.0
                )
        return out

    def salib_problem(self) -> dict[str, Any]:
        names, groups = [], []
        for block in self.blocks:
            for j in range(block.width):
                names.append(f"{block.label}[{j}]")
                groups.append(block.label)
        return {
            "num_vars": len(names),
            "names": names,
            "bounds": [[0.0, 1.0]] * len(names),
            "groups": groups,
        }

    def sobol_sample(self, n: int, seed: int) -> Draws:
        """SALib's Saltelli/Sobol design without second order: ``n * (assumptions + 2)`` rows."""
        from SALib.sample import sobol

        with warnings.catch_warnings():
            # SALib warns when n is not a power of two; the estimates stay valid, only less balanced
            warnings.simplefilter("ignore", UserWarning)
            sample = sobol.sample(self.salib_problem(), n, calc_second_order=False, seed=seed)
        return Draws(self, np.clip(sample, 0.0, np.nextafter(1.0, 0.0)), self.weight_sets(seed))
