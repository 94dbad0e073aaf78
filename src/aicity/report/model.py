"""The data a report is rendered from: one stored run plus the store facts around it.

``aicity.workflows.report`` fills a :class:`ReportData` from the store; the renderers (HTML, PDF, Excel) read
only this object, so they can be tested without a store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from aicity.languages import LANGUAGES
from aicity.profiles.profile import Profile
from aicity.store.runs import StoredRun

LANGS = LANGUAGES


# below this many cities ranked by both, a rank correlation says nothing
MIN_COMMON_FOR_CORRELATION = 5


@dataclass
class ReportData:
    run: StoredRun  # the evaluation run the report presents
    profiles: dict[str, Profile]
    sources: pd.DataFrame  # source_id, url, publisher, title, reliability
    external_rankings: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # unit_key, ranking, year, rank
    park_run: StoredRun | None = None  # the park run of the same year, when one exists
    park_profiles: dict[str, Profile] = field(default_factory=dict)
    segment_names: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # code -> layer, zh, en
    # city code -> its projects (aicity.workflows.projects.city_projects), cities with any (issue 16)
    projects: dict[str, dict] = field(default_factory=dict)

    # ----- convenient views ---------------------------------------------------------------------
    @property
    def meta(self) -> dict:
        """The run's ``eval_runs`` row (id, framework, recipe, data hash, reference year ...)."""
        return self.run.meta

    @property
    def nodes(self) -> pd.DataFrame:
        return self.run.nodes

    @property
    def index_code(self) -> str:
        return self.run.index_code

    @property
    def dimensions(self) -> pd.DataFrame:
        return self.run.dimensions

    @property
    def indicators(self) -> pd.DataFrame:
        return self.run.indicators

    def node_name(self, code: str, lang: str) -> str:
        row = self.nodes[self.nodes["code"] == code]
        if row.empty:
            # an indicator the coverage floor left out is not a node of the run: its framework names it
            names = self._framework_names().get(code)
            return (names[0] if lang == "zh" else names[1]) if names else code
        return str(row.iloc[0]["name_zh" if lang == "zh" else "name_en"] or code)

    def _framework_names(self) -> dict[str, tuple[str, str]]:
        if not hasattr(self, "_names_cache"):
            import yaml

            spec = yaml.safe_load(self.meta.get("framework_yaml") or "") or {}
            entries = [*(spec.get("nodes") or []), *(spec.get("indicators") or [])]
            self._names_cache = {
                str(e["code"]): (
                    str(e.get("name_zh") or e["code"]),
                    str(e.get("name_en") or e["code"]),
                )
                for e in entries
                if isinstance(e, dict) and "code" in e
            }
        return self._names_cache

    def unit_name(self, unit_key: str, lang: str) -> str:
        return self._unit_names(lang).get(unit_key, unit_key)

    def _unit_names(self, lang: str) -> dict[str, str]:
        # looked up once per language: tables name thousands of cells
        cache = self.__dict__.setdefault("_names_cache", {})
        if lang not in cache:
            units = self.run.units
            own = units["name_zh" if lang == "zh" else "name_en"]
            names = own.where(own.notna() & (own.astype(str) != ""), units["name_zh"])
            cache[lang] = dict(zip(units["unit_key"].astype(str), names.astype(str), strict=True))
        return cache[lang]

    def ranking(self, scheme: str = "default") -> pd.DataFrame:
        """One row per unit, best first (``StoredRun.ranking``)."""
        return self.run.ranking(scheme)

    def alternative_schemes(self) -> list[str]:
        return [s for s in self.run.schemes() if s != "default"]

    def sensitivity(self) -> pd.DataFrame:
        """Per-input sensitivity indices (code, S1, ST) when the uncertainty run stored them."""
        return self.run.sensitivity()

    def cell_sources(self) -> pd.DataFrame:
        """Every source used by at least one cell, with the indicators it feeds."""
        cells = self.run.cells.dropna(subset=["source_id"])
        if cells.empty or self.sources.empty:
            return pd.DataFrame(
                columns=["source_id", "url", "publisher", "reliability", "indicators", "n_cells"]
            )
        used = (
            cells.groupby("source_id")
            .agg(
                indicators=("indicator", lambda s: ", ".join(sorted(set(s)))),
                n_cells=("indicator", "size"),
            )
            .reset_index()
        )
        used["source_id"] = used["source_id"].astype("int64")
        sources = self.sources.copy()
        sources["source_id"] = sources["source_id"].astype("int64")
        return used.merge(sources, on="source_id", how="left").sort_values("source_id")

    def indicator_sources(self) -> dict[str, list[str]]:
        """Indicator code -> URLs of the sources of its cells (for the methodology table)."""
        table = self.cell_sources()
        out: dict[str, list[str]] = {}
        cells = self.run.cells.dropna(subset=["source_id"])
        if table.empty:
            return out
        urls = table.set_index("source_id")["url"]
        for code, group in cells.groupby("indicator"):
            out[str(code)] = sorted({str(urls.get(int(s), "")) for s in group["source_id"]} - {""})
        return out

    def gaps(self) -> pd.DataFrame:
        """The cells that are not a clean real value: missing, imputed, estimated, unverified, without a
        source or from a sample (unit_key, indicator, year, value, flags). Real cells flagged only stale,
        content-farm sourced, derived or an absent designation are in the coverage table and the workbook."""
        cells = self.run.cells
        context_only = {"stale", "weak_source", "derived", "absent_flag", "carried", "city_level"}
        flags = cells["flags"].fillna("").astype(str).str.split()
        real = cells["real"].astype(bool) if "real" in cells else cells["value"].notna()
        gap = [
            bool(f) and not (r and set(f) <= context_only) for f, r in zip(flags, real, strict=True)
        ]
        return cells[gap][["unit_key", "indicator", "year", "value", "flags"]].sort_values(
            ["indicator", "unit_key"]
        )

    def comparison(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Spearman rank correlation of our overall rank with each published ranking, and disagreements.

        Returns (summary: ranking, year, n_common, spearman, kendall, top_n, top_overlap: how many of
        the first ``top_n`` (10, or fewer shared cities) both rankings share; disagreements: ranking, year,
        unit_key, ours, theirs, difference), computed on the units both rank.
        """
        ext = self.external_rankings
        columns = ["ranking", "year", "n_common", "spearman", "kendall", "top_n", "top_overlap"]
        if ext is None or ext.empty:
            return pd.DataFrame(columns=columns), pd.DataFrame()
        ours = self.ranking().set_index("unit_key")["rank"]
        rows, disagreements = [], []
        for (name, year), group in ext.groupby(["ranking", "year"], dropna=False):
            theirs = group.set_index("unit_key")["rank"].astype(float)
            common = theirs.index.intersection(ours.dropna().index)
            if len(common) < MIN_COMMON_FOR_CORRELATION:
                # too few shared cities for a correlation: listed with its n, no coefficient
                rows.append(
                    {
                        "ranking": name,
                        "year": year,
                        "n_common": len(common),
                        "spearman": float("nan"),
                        "kendall": float("nan"),
                        "top_n": 0,
                        "top_overlap": 0,
                    }
                )
                continue
            a = ours.loc[common].rank(method="average")
            b = theirs.loc[common].rank(method="average")
            varied = a.std() > 0 and b.std() > 0
            rho = float(np.corrcoef(a, b)[0, 1]) if varied else float("nan")
            tau = float(stats.kendalltau(a, b).statistic) if varied else float("nan")
            top_n = min(10, len(common) // 2)
            ours_top = set(a.sort_values(kind="stable").index[:top_n])
            theirs_top = set(b.sort_values(kind="stable").index[:top_n])
            rows.append(
                {
                    "ranking": name,
                    "year": year,
                    "n_common": len(common),
                    "spearman": rho,
                    "kendall": tau,
                    "top_n": top_n,
                    "top_overlap": len(ours_top & theirs_top),
                }
            )
            # Disagreement: positions within the common set differ by at least a third of its size.
            threshold = max(2, round(len(common) / 3))
            for unit in common:
                diff = float(a[unit] - b[unit])
                if abs(diff) >= threshold:
                    disagreements.append(
                        {
                            "ranking": name,
                            "year": year,
                            "unit_key": unit,
                            "ours": int(ours[unit]),
                            "theirs": float(theirs[unit]),
                            "difference": diff,
                        }
                    )
        return pd.DataFrame(rows, columns=columns), pd.DataFrame(disagreements)
