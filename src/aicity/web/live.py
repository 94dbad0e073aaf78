"""Live re-weighting: the stored evaluation rebuilt once, then re-aggregated per request by the index engine.

At start-up the newest city run is rebuilt from what the store froze with it (framework YAML, recipe YAML,
input cells) by the evaluation workflow's ``rebuild_inputs`` and ``aicity.index.build``. Method changes (normalisation, weighting, aggregation) go through
``IndexResult.regenerate`` (cached per combination). New weights only change the last aggregation, so a
request re-aggregates the precomputed scores of the level below the index with the engine's own last step
(``aicity.index.aggregate.aggregate_level``) and ranks with ``numeric.rank_min``: microseconds, not a
full rebuild. A test checks that
this equals a full ``build`` with the same weights.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import pandas as pd

from aicity.errors import AicityError
from aicity.web.errors import BadRequest

if TYPE_CHECKING:
    from aicity.store import Store
    from aicity.store.runs import StoredRun

log = logging.getLogger("aicity.web")

NORMALISATIONS = ("minmax", "zscore", "dist2max", "fracmax", "percentile_rank", "rank", "borda")
WEIGHTINGS = ("nominal", "equal", "entropy", "critic", "pca")
AGGREGATIONS = ("arithmetic_mean", "geometric_mean", "harmonic_mean", "copeland", "topsis")


@dataclass(frozen=True)
class Methods:
    normalisation: str
    weighting: str
    aggregation: str

    def key(self) -> tuple[str, str, str]:
        return (self.normalisation, self.weighting, self.aggregation)


@dataclass
class Scheme:
    """One method combination, computed once: the children-of-root scores and their default weights."""

    methods: Methods
    result: Any  # aicity.index.IndexResult
    child_scores: np.ndarray  # (units, children of the root)
    child_weights: np.ndarray  # (children,) as the weighting method set them
    index_scores: np.ndarray
    index_ranks: np.ndarray
    root_method: str = "arithmetic_mean"  # the aggregation of the root's children
    p: float = 1.0
    min_availability: float | None = None

    @property
    def slider_weights(self) -> np.ndarray:
        """The default weights on the 0-100 scale of the sliders and the API (shares x 100)."""
        total = self.child_weights.sum()
        return self.child_weights / total * 100 if total > 0 else self.child_weights


class LiveRanking:
    """The evaluation behind the overview and the rankings API."""

    def __init__(
        self,
        run: StoredRun,
        framework: Any,
        recipe: Any,
        raw: pd.DataFrame,
        cache_size: int = 256,
    ) -> None:
        from aicity.index import build

        self.run = run
        self.meta = run.meta
        self.framework = framework
        self.recipe = recipe
        self.raw = raw
        self.run_id = run.run_id
        self.root = framework.levels[-1][0]
        self.dimensions: list[str] = list(framework.children(self.root))
        self.units: list[str] = [str(u) for u in raw.index]
        self._unit_order = np.argsort(np.argsort(np.array(self.units)))  # tie-break by unit key
        self._dimension_index = {code: i for i, code in enumerate(self.dimensions)}
        self._root_membership = np.ones((len(self.dimensions), 1))
        self._build = build
        self._lock = threading.Lock()
        self._schemes: OrderedDict[tuple[str, str, str], Scheme] = OrderedDict()
        self._failed: dict[tuple[str, str, str], str] = {}
        self._cache_size = cache_size
        self.baseline_result = build(framework, recipe=recipe)
        self.default_methods = self._methods_of(self.recipe)
        self._schemes[self.default_methods.key()] = self._scheme(
            self.default_methods, self.baseline_result
        )
        self.intervals = run.intervals(self.root)  # the stored 90% rank interval of the index
        baseline = self._schemes[self.default_methods.key()]
        self.baseline_ranks = {
            unit: int(rank)
            for unit, rank in zip(self.units, baseline.index_ranks, strict=True)
            if rank == rank
        }
        self.names = self.node_names()
        self.unit_names: dict[str, tuple[str, str]] = {}
        for row in run.units.itertuples():
            zh = row.name_zh if isinstance(row.name_zh, str) else str(row.unit_key)
            en = row.name_en if isinstance(row.name_en, str) else zh
            self.unit_names[str(row.unit_key)] = (zh, en)

    # ----- construction --------------------------------------------------------------------------
    @classmethod
    def from_store(cls, store: Store, cities: pd.DataFrame | None = None) -> LiveRanking | None:
        """Rebuild the newest city evaluation; None when the store holds no run yet."""
        from aicity.workflows.explore import latest_city_run

        run = latest_city_run(store)
        return None if run is None else cls.from_run(run)

    @classmethod
    def from_run(cls, run: StoredRun) -> LiveRanking:
        """Rebuild a stored run with the evaluation workflow's own ``rebuild_inputs``."""
        from aicity.workflows.evaluate_uncertainty import rebuild_inputs

        framework, recipe = rebuild_inputs(run)
        return cls(run, framework, recipe, framework.data)

    @staticmethod
    def _methods_of(recipe: Any) -> Methods:
        params = {step.name: step.get_params() for step in recipe.steps}
        return Methods(
            normalisation=str(params.get("normalise", {}).get("method", "minmax")),
            weighting=str(params.get("weight", {}).get("method", "nominal")),
            aggregation=str(params.get("aggregate", {}).get("method", "arithmetic_mean")),
        )

    def recipe_for(self, methods: Methods) -> Any:
        """The run's recipe with the three methods swapped in (a step the recipe lacks is added)."""
        from aicity.index import Recipe

        steps = [dict(entry) for entry in self.recipe.to_dict()["steps"]]
        for step, method, before in (
            ("normalise", methods.normalisation, "aggregate"),
            ("weight", methods.weighting, "aggregate"),
            ("aggregate", methods.aggregation, None),
        ):
            names = [next(iter(entry)) for entry in steps]
            if step in names:
                i = names.index(step)
                steps[i] = {step: {**(steps[i][step] or {}), "method": method}}
            else:
                at = names.index(before) if before in names else len(steps)
                steps.insert(at, {step: {"method": method}})
        return Recipe.from_dict({"steps": steps})

    def _scheme(self, methods: Methods, result: Any) -> Scheme:
        scores = result.scores.reindex(index=self.units)
        child_scores = scores[self.dimensions].to_numpy(dtype=float)
        child_weights = np.array([float(result.weights.get(code, 1.0)) for code in self.dimensions])
        index_scores = scores[self.root].to_numpy(dtype=float)
        index_ranks = result.ranks.reindex(index=self.units)[self.root].to_numpy(dtype=float)
        params = {step.name: step.get_params() for step in result.recipe.steps}.get("aggregate", {})
        by_level = params.get("by_level") or {}
        n_levels = len(self.framework.levels)
        top_name = self.framework.level_names[-1] if self.framework.level_names else None
        method = by_level.get(n_levels) or by_level.get(top_name) or methods.aggregation
        return Scheme(
            methods,
            result,
            child_scores,
            child_weights,
            index_scores,
            index_ranks,
            root_method=str(method),
            p=float(params.get("p", 1.0)),
            min_availability=params.get("min_availability"),
        )

    # ----- per request ---------------------------------------------------------------------------
    def methods(
        self,
        normalisation: str | None = None,
        weighting: str | None = None,
        aggregation: str | None = None,
    ) -> Methods:
        chosen = Methods(
            normalisation=normalisation or self.default_methods.normalisation,
            weighting=weighting or self.default_methods.weighting,
            aggregation=aggregation or self.default_methods.aggregation,
        )
        for name, value, allowed in (
            ("normalisation", chosen.normalisation, NORMALISATIONS),
            ("weighting", chosen.weighting, WEIGHTINGS),
            ("aggregation", chosen.aggregation, AGGREGATIONS),
        ):
            if value not in allowed and value != getattr(self.default_methods, name):
                raise BadRequest(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        return chosen

    def scheme(self, methods: Methods) -> Scheme:
        """The computed scheme for a method combination (built by the engine once, then cached)."""
        key = methods.key()
        with self._lock:
            found = self._schemes.get(key)
            if found is not None:
                self._schemes.move_to_end(key)
                return found
            failure = self._failed.get(key)
        if failure is not None:
            raise BadRequest(failure)
        try:
            # all-NaN columns are the engine's call; np.errstate is per thread (warnings.catch_warnings
            # is process-wide, so it is never entered in a request thread)
            with np.errstate(all="ignore"):
                result = self._build(self.framework, None, self.recipe_for(methods))
        except AicityError as exc:
            self._fail(key, f"this method combination cannot be computed on the data: {exc}")
        except (ValueError, IndexError, ArithmeticError) as exc:
            # a numerical failure inside the engine for this data: report it, keep serving the rest
            log.debug("index engine failed for %s: %s: %s", key, type(exc).__name__, exc)
            self._fail(
                key,
                f"this method combination cannot be computed on the data: the index engine "
                f"failed ({type(exc).__name__}: {exc})",
            )
        built = self._scheme(methods, result)
        with self._lock:
            self._schemes[key] = built
            while len(self._schemes) > self._cache_size:
                self._schemes.popitem(last=False)
        return built

    def _fail(self, key: tuple[str, str, str], message: str) -> NoReturn:
        with self._lock:
            self._failed[key] = message
        raise BadRequest(message)

    def warm_up(self) -> tuple[int, int]:
        """Build every method combination the explorer offers, once, so no request waits for a build.
        Returns (combinations ready, combinations that cannot be computed on this data)."""
        ready = failed = 0
        for normalisation in NORMALISATIONS:
            for weighting in WEIGHTINGS:
                for aggregation in AGGREGATIONS:
                    try:
                        self.scheme(Methods(normalisation, weighting, aggregation))
                        ready += 1
                    except BadRequest:
                        failed += 1
        if failed:
            log.info(
                "%d of %d method combinations cannot be computed on this data (see /api/v1/framework)",
                failed,
                ready + failed,
            )
        return ready, failed

    def parse_weights(self, weights: Mapping[str, float], max_weight: float) -> dict[str, float]:
        unknown = [code for code in weights if code not in self.dimensions]
        if unknown:
            raise BadRequest(
                f"unknown dimension {unknown[0]!r} in weights: expected codes among "
                f"{', '.join(self.dimensions)}"
            )
        for code, value in weights.items():
            if not (0.0 <= value <= max_weight) or value != value:
                raise BadRequest(
                    f"weight of {code} must be between 0 and {max_weight:g}; got {value:g}"
                )
        return dict(weights)

    def rank_arrays(
        self, methods: Methods, weights: Mapping[str, float] | None = None
    ) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
        """The hot path of the rankings endpoint, in plain NumPy (no pandas on a request).

        Returns (unit positions best first, scores, ranks, weight shares) with scores and ranks aligned
        with ``self.units``. ``weights`` (0-100 scale) override the weighting method's for the dimensions
        they name; the others keep their default share x 100."""
        from aicity.index.aggregate import aggregate_level
        from aicity.index.numeric import rank_min

        scheme = self.scheme(methods)
        w = scheme.slider_weights.copy()
        if weights:
            for code, value in weights.items():
                w[self._dimension_index[code]] = value
            if not np.any(w > 0):
                raise BadRequest("weights: at least one dimension needs a weight above 0")
            # the engine's own last aggregation step, on the precomputed dimension scores
            X = scheme.child_scores
            scores = aggregate_level(
                X, w, self._root_membership, scheme.root_method, scheme.p, scheme.min_availability
            )[:, 0]
            ranks = rank_min(scores)
        else:
            scores, ranks = scheme.index_scores, scheme.index_ranks
        # best first; unranked last; ties in unit-key order
        order = np.lexsort((self._unit_order, np.where(np.isnan(ranks), np.inf, ranks)))
        return order.tolist(), scores, ranks, w / w.sum()

    def rank(self, methods: Methods, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Scores and ranks of the index (see ``rank_arrays``) as a frame, best first;
        ``frame.attrs["weights"]`` holds the weight shares used."""
        order, scores, ranks, shares = self.rank_arrays(methods, weights)
        frame = pd.DataFrame(
            {
                "unit_key": [self.units[i] for i in order],
                "score": scores[order],
                "rank": ranks[order],
            }
        )
        frame.attrs["weights"] = dict(zip(self.dimensions, shares.tolist(), strict=True))
        return frame

    def dimension_scores(self, methods: Methods) -> pd.DataFrame:
        scheme = self.scheme(methods)
        return pd.DataFrame(scheme.child_scores, index=self.units, columns=self.dimensions)

    def node_names(self) -> dict[str, tuple[str, str]]:
        names = {}
        nodes = self.run.nodes
        if not nodes.empty:
            for row in nodes.itertuples():
                names[row.code] = (row.name_zh or row.code, row.name_en or row.name_zh or row.code)
        for code in [*self.dimensions, self.root]:
            if code not in names:
                names[code] = (
                    self.framework.names(code, lang="zh"),
                    self.framework.names(code, lang="en"),
                )
        return names

    def cells_of(self, unit_key: str) -> pd.DataFrame:
        """The input cells the run used for one unit (value, year, source, flags)."""
        cells = self.run.cells
        if cells.empty:
            return pd.DataFrame(
                columns=["indicator", "value", "year", "unit", "source_id", "flags"]
            )
        return cells[cells["unit_key"] == unit_key]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's tables offered for CSV download."""
        out = {}
        baseline = self.rank(self.default_methods)
        out["ranking"] = baseline.reset_index(drop=True)
        out["dimension_scores"] = self.dimension_scores(self.default_methods).reset_index(
            names="unit_key"
        )
        run = self.run
        for name, frame in (
            ("nodes", run.nodes),
            ("cells", run.cells),
            ("flags", run.flags),
            ("uncertainty", run.uncertainty),
            ("weights", run.weights),
        ):
            out[name] = frame
        return out
