"""Learned classifier: two linear models over character n-grams and the keyword rules.

Features: TF-IDF of character 1-3-grams of name + business scope (:mod:`aicity.inventory.ngrams`; no
dictionary, deterministic, and Chinese needs no word segmentation for it), keeping the n-grams found in at
least ``min_df`` training firms (2; 1 below 400 training firms: the n-grams of a single firm were mostly
noise: 124k n-grams -> 31k on 1,603 firms, more accurate in 5-fold CV and a smaller, faster model),
and the rules' score of every segment (:class:`RuleFeatures`: the taxonomy keywords found in the name
count 2, in the scope 1), scaled by ``rule_weight`` (0.3: heavier, the models leaned on the keywords and
were less accurate in 5-fold CV).

Stage 1, "is this an AI firm?": a logistic regression on all labelled firms, the non-AI look-alikes
(label ``none``: owners of AI parks, appliance makers, retailers with 智能 in their scope) against the
rest, classes balanced (C = ``ai_C``, 10), over NB-scaled features (NBSVM, Wang & Manning 2012): each
column times its log-count ratio ``log((a + df_ai) / |a + df_ai| / ((a + df_non) / |a + df_non|))``
(``df``: training firms of the class that have the feature, smoothing ``a`` = ``ai_nb_alpha``, 1), so
the regularisation favours terms that tell the classes apart (in 5-fold CV, mean of seeds 0-2: layer
+2.1 points, segment +1.5 at the same non-AI recall). The ratio is folded into the fitted weights:
the stored gate reads the plain features (no cost when classifying). Stage 2, "which segment?": over the
segment codes of the AI firms, one logistic regression per segment (that segment against the other
AI firms, C = ``segment_C``, 1000) over features NB-scaled by that segment's own log-count ratio
(``segment_nb_alpha``, 1; each ratio folded into its weights), the segments' sigmoid probabilities
normalised to sum 1 (in 5-fold CV, mean of seeds 0-2: segment +1.5 points over one multinomial
regression; with ``segment_nb_alpha=None`` or ``calibrate``, that multinomial regression, C = 300).
Both give plain logistic-regression probabilities; sigmoid calibration (``calibrate=True``) was no more
accurate in 5-fold CV and took 3x the training time.

Decision: P(non-AI) = 1 - p_ai, P(layer L) = p_ai x (sum of the segment probabilities of L). The most
probable of non-AI and the three layers wins, P(non-AI) counted ``non_ai_weight`` times (1.5: calling a
look-alike an AI firm inflates the inventory, so close calls go to non-AI; chosen by 5-fold CV), if its
(so weighted) probability reaches ``threshold``; below it the firm is ``unclassified`` (honestly
unknown, counted in no layer or segment). Within the chosen layer the most probable segment is taken
if p_ai x its probability reaches ``segment_threshold``; otherwise the rules' segment of that layer if
a keyword matched (the fallback, said so in the explanation), else the firm keeps its layer without a
segment.

Explanation: the outcome's probability, the terms that pushed hardest toward it (tf-idf x coefficient)
and the rules' keyword hits, e.g. ``ai_chips p=0.81 (AI 0.97); terms: 芯片 (+1.9), 'gpu' (+0.7);
rules: scope: GPU, AI芯片``.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from sklearn.model_selection import StratifiedKFold

from aicity.errors import ConfigError, InputError
from aicity.inventory.learned_explain import METHOD, explained_frame, secondary_tags, term_lists
from aicity.inventory.learned_features import (
    KeywordHits,
    RuleFeatures,
    firm_text,
    normalised_fields,
)
from aicity.inventory.learned_linear import (
    _calibrated,
    _coef,
    _fit_quietly,
    _fold_scaling,
    _nb_ratio,
    _NbOneVsRest,
)
from aicity.inventory.ngrams import CharNgramTfidf, normalise_many, small_pages
from aicity.inventory.rules import RESULT_COLUMNS
from aicity.inventory.taxonomy import LAYERS, Taxonomy, load_taxonomy

__all__ = [
    "CHUNK_ROWS",
    "FORMAT",
    "METHOD",
    "NON_AI",
    "OUTCOMES",
    "PREDICTION_COLUMNS",
    "LearnedClassifier",
    "RuleFeatures",
    "cross_val_predict",
    "firm_text",
]

FORMAT = "aicity-learned-classifier/2"
NON_AI = "none"  # the label of a firm that is not an AI firm
OUTCOMES = ("ai", "non_ai", "unclassified")
PREDICTION_COLUMNS = [*RESULT_COLUMNS, "outcome", "p_ai"]
CHUNK_ROWS = 50_000  # firms classified at once (about 0.5 GB at this size)
WORKERS = min(2, os.cpu_count() or 1)  # chunks classified side by side


@dataclass
class LearnedClassifier:
    """Stage 1 AI vs non-AI, stage 2 segment; ``unclassified`` below ``threshold``."""

    taxonomy: Taxonomy | None = None
    C: float = 300.0
    ai_C: float = 10.0  # stage 1's own C (over NB-scaled features; see ai_nb_alpha)
    threshold: float = 0.35
    segment_threshold: float = 0.1
    rule_weight: float = 0.3
    non_ai_weight: float = 1.5
    ai_nb_alpha: float | None = 1.0  # NB log-count-ratio scaling of the gate's features; None: off
    segment_nb_alpha: float | None = 1.0  # NB-scaled one-vs-rest segment models; None: multinomial
    segment_C: float = 1000.0  # C of each one-vs-rest segment model
    min_df: int = 2  # n-grams of fewer training firms are dropped (see _min_df)
    seed: int = 0
    calibrate: bool = False
    version: int | None = None
    features_: CharNgramTfidf | None = field(default=None, repr=False)
    rules_: RuleFeatures | None = field(default=None, repr=False)
    ai_model_: Any = field(default=None, repr=False)  # None when the labels hold no non-AI firm
    segment_model_: Any = field(default=None, repr=False)
    classes_: list[str] = field(default_factory=list)
    meta_: dict[str, Any] = field(default_factory=dict)

    @property
    def taxonomy_(self) -> Taxonomy:
        if self.taxonomy is None:
            self.taxonomy = load_taxonomy()
        return self.taxonomy

    def _matrix(
        self,
        frame: pd.DataFrame,
        hits: KeywordHits | None = None,
        fields: tuple[list[str], list[str]] | None = None,
    ) -> sp.csr_matrix:
        assert self.features_ is not None and self.rules_ is not None
        names, descs = normalised_fields(frame) if fields is None else fields
        # normalise(name + " " + scope) is the two normalised and joined: one pass over the text
        text = [f"{n} {d}".strip() for n, d in zip(names, descs, strict=True)]
        chars = self.features_.transform_normalised(text)
        hits = self.rules_.hits_normalised(names, descs) if hits is None else hits
        rules = self.rules_.from_hits(hits) * self.rule_weight
        return sp.hstack([chars, rules], format="csr")

    def feature_names(self) -> np.ndarray:
        assert self.features_ is not None and self.rules_ is not None
        cached = self.__dict__.get("_feature_names")
        if cached is not None:  # made once per model: 50k n-grams spelled out
            return cached
        chars = [
            f"'{t}'" if len(t) < 2 or t.isascii() else t
            for t in self.features_.get_feature_names_out()
        ]
        names = np.array([*chars, *[f"rule:{c}" for c in self.rules_.codes_]], dtype=object)
        self.__dict__["_feature_names"] = names
        return names

    def fit(self, frame: pd.DataFrame, labels: list[str]) -> LearnedClassifier:
        """Train on firms (columns name, description) and their labels (segment codes or ``none``)."""
        tax = self.taxonomy_
        y = np.asarray([str(s) for s in labels], dtype=object)
        unknown = sorted({s for s in y if s != NON_AI and s not in tax})
        if unknown:
            raise InputError(
                f"labels {unknown} are not segments of the taxonomy ({tax.source}) nor 'none'",
                column="segment",
                fix="use the taxonomy codes, e.g. ai_chips, or none for a firm that is not an AI firm",
            )
        is_ai = y != NON_AI
        classes = sorted(set(y[is_ai]))
        if len(classes) < 2:
            raise InputError(
                f"training needs labelled AI firms of at least 2 segments, received {len(classes)} "
                f"({len(y)} labelled firms)",
                column="segment",
            )
        frame = frame.reset_index(drop=True)[["name", "description"]]
        self.features_ = CharNgramTfidf(max_n=3, min_df=self._min_df(len(frame))).fit(
            firm_text(frame)
        )
        self.rules_ = RuleFeatures(tax.to_records()).fit(frame)
        self.__dict__.pop("_feature_names", None)  # new features, new names
        X = self._matrix(frame)
        n_non_ai = int((~is_ai).sum())
        self.ai_model_ = None
        if n_non_ai:
            ratio = None if self.ai_nb_alpha is None else _nb_ratio(X, is_ai, self.ai_nb_alpha)
            self.ai_model_ = _fit_quietly(
                _calibrated(self.ai_C, is_ai, True, self.seed, self.calibrate),
                X if ratio is None else X @ sp.diags(ratio),
                is_ai.astype(int),
            )
            if ratio is not None:
                _fold_scaling(self.ai_model_, ratio)
        y_ai = y[is_ai]
        if self.segment_nb_alpha is None or self.calibrate:
            self.segment_model_ = _fit_quietly(
                _calibrated(self.C, y_ai, False, self.seed, self.calibrate), X[is_ai], y_ai
            )
        else:
            self.segment_model_ = _NbOneVsRest(
                self.segment_C, self.segment_nb_alpha, self.seed
            ).fit(X[is_ai], y_ai)
        self.classes_ = [str(c) for c in self.segment_model_.classes_]
        self.meta_ = {
            "format": FORMAT,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_train": len(y),
            "n_non_ai": n_non_ai,
            "classes": self.classes_,
            "taxonomy_source": tax.source,
            "taxonomy_codes": tax.codes,
            "params": {
                "C": self.C,
                "ai_C": self.ai_C,
                "threshold": self.threshold,
                "segment_threshold": self.segment_threshold,
                "rule_weight": self.rule_weight,
                "non_ai_weight": self.non_ai_weight,
                "ai_nb_alpha": self.ai_nb_alpha,
                "segment_nb_alpha": self.segment_nb_alpha,
                "segment_C": self.segment_C,
                "min_df": self.min_df,
                "seed": self.seed,
                "calibrate": self.calibrate,
            },
            "sklearn": sklearn.__version__,
            "version": self.version,
        }
        return self

    def _min_df(self, n_firms: int) -> int:
        """``min_df``, but at most one per 200 training firms (a small set keeps its rare n-grams)."""
        return max(1, min(self.min_df, n_firms // 200))

    def _check(self) -> None:
        if self.segment_model_ is None:
            raise ConfigError(
                "the learned classifier is not trained (run `aicity classify train` first)"
            )

    def predict_proba(
        self,
        frame: pd.DataFrame,
        hits: KeywordHits | None = None,
        fields: tuple[list[str], list[str]] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
        """(p_ai per firm, segment probabilities per firm x classes_, the feature matrix)."""
        self._check()
        X = self._matrix(frame, hits, fields)
        if self.ai_model_ is None:
            p_ai = np.ones(X.shape[0])
        else:
            p_ai = self.ai_model_.predict_proba(X)[:, 1]
        return p_ai, self.segment_model_.predict_proba(X), X

    def classify(
        self,
        firms: pd.DataFrame,
        text_columns: tuple[str, ...] = ("name", "description"),
        top_terms: int = 3,
    ) -> pd.DataFrame:
        """One row per firm: the rules' columns plus ``outcome`` (ai / non_ai / unclassified), ``p_ai``.

        A non-empty ``layer`` in the input is a label: the firm is an AI firm of that layer. The
        decision and the explanation strings are vectorised over all firms (a column at a time).
        """
        self._check()
        tax = self.taxonomy_
        if firms.empty:
            return pd.DataFrame(columns=PREDICTION_COLUMNS)
        if len(firms) > CHUNK_ROWS:  # bounded memory: the feature matrix of a few chunks at a time
            self._warm()
            chunks = [firms.iloc[i : i + CHUNK_ROWS] for i in range(0, len(firms), CHUNK_ROWS)]

            # numpy, scipy and DuckDB release the GIL: two chunks at once use both cores
            def one(chunk: pd.DataFrame) -> pd.DataFrame:
                return self.classify(chunk, text_columns, top_terms)

            with small_pages():
                if WORKERS > 1:
                    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                        parts = list(pool.map(one, chunks))
                else:
                    parts = [one(c) for c in chunks]
            return pd.concat(parts, ignore_index=True)
        frame = firms.reset_index(drop=True)
        if tuple(text_columns) != ("name", "description"):
            frame = pd.DataFrame(
                {
                    "enterprise_id": frame["enterprise_id"],
                    "name": frame.get(text_columns[0], ""),
                    "description": firm_text(frame, tuple(text_columns[1:])),
                    **({"layer": frame["layer"]} if "layer" in frame else {}),
                }
            )
        assert self.rules_ is not None
        n = len(frame)
        fields = normalised_fields(frame)
        hits = self.rules_.hits_normalised(*fields)
        p_ai, q, X = self.predict_proba(frame, hits, fields)
        classes = np.asarray(self.classes_, dtype=object)
        class_layer = np.array([tax.layer_of(c) for c in self.classes_])
        member = np.stack([class_layer == lay for lay in LAYERS], axis=1).astype(float)  # K x 3
        given = (
            frame["layer"].where(frame["layer"].isin(list(LAYERS))).to_numpy(dtype=object)
            if "layer" in frame
            else np.full(n, None, dtype=object)
        )
        labelled = pd.notna(given)
        pa = np.where(labelled, 1.0, p_ai)
        p_layer = pa[:, None] * (q @ member)  # n x 3
        options = np.column_stack(
            [1.0 - pa, p_layer]
        )  # non_ai, foundation, technology, application
        for j, lay in enumerate(LAYERS):  # a layer label leaves only that layer
            options[labelled, j + 1] = np.where(given[labelled] == lay, 1.0, 0.0)
        options[labelled, 0] = 0.0
        # the doubt goes to non-AI: its probability counts non_ai_weight times, in the argmax and
        # against the threshold (best_p, the reported confidence, stays a probability)
        weighted = options * np.array([self.non_ai_weight, 1.0, 1.0, 1.0])
        best = weighted.argmax(axis=1)
        best_p = options[np.arange(n), best]
        outcome = np.where(
            weighted[np.arange(n), best] < self.threshold,
            "unclassified",
            np.where(best == 0, "non_ai", "ai"),
        )
        layer_idx = np.clip(best - 1, 0, 2)
        within = q * member[:, layer_idx].T  # segment probabilities inside the chosen layer
        k = within.argmax(axis=1)
        p_seg = pa * within[np.arange(n), k]
        seg = classes[k].copy()
        lay = np.asarray(LAYERS, dtype=object)[layer_idx]
        unsure = (outcome == "ai") & (p_seg < self.segment_threshold)
        # fallback: the rules' strongest segment of the chosen layer, when a keyword matched
        R = self.rules_.scores(hits)  # n x taxonomy codes
        rule_codes = np.asarray(self.rules_.codes_, dtype=object)
        rule_layer = np.array(
            [LAYERS.index(tax.layer_of(c)) if c in tax else -1 for c in rule_codes]
        )
        r_within = np.where(rule_layer[None, :] == layer_idx[:, None], R, 0.0)
        r_best = r_within.argmax(axis=1)
        has_rule = r_within[np.arange(n), r_best] > 0
        from_rules = unsure & has_rule
        seg = np.where(from_rules, rule_codes[r_best], seg)
        no_segment = unsure & ~has_rule
        is_ai = outcome == "ai"
        conf = np.where(
            is_ai & ~unsure, p_seg, np.where(is_ai, p_layer[np.arange(n), layer_idx], best_p)
        )
        # secondary tags: up to 3 further segments of the layer with p >= 0.1
        order = np.argsort(-within, axis=1, kind="stable")[:, 1:4]
        # the terms behind the answer: x * w of the chosen class (or of non-AI)
        names = self.feature_names()
        X = X.tocsr()
        contrib = self._contributions(X, np.where(best == 0, -1, k))
        terms = term_lists(X.indptr, X.indices, contrib, names, top_terms)
        return explained_frame(
            frame["enterprise_id"].astype(str).tolist(),
            hits.explanations(),
            terms,
            outcome=outcome,
            options=options,
            pa=pa,
            conf=conf,
            model_seg=classes[k],
            seg=seg,
            lay=lay,
            p_seg=p_seg,
            p_lay=p_layer[np.arange(n), layer_idx],
            from_rules=from_rules,
            no_segment=no_segment,
            secondary=secondary_tags(classes, order, within, pa),
            columns=PREDICTION_COLUMNS,
        )

    def _warm(self) -> None:
        """Build the lazy lookups once, before threads share the model."""
        assert self.features_ is not None and self.rules_ is not None
        self.feature_names()
        self.features_._index()
        self.rules_._rules()
        normalise_many(["", " "])

    def _contributions(self, X: sp.csr_matrix, cls: np.ndarray) -> np.ndarray:
        """x * w of every stored entry of ``X`` for its row's class (``cls``: an index into
        ``classes_``, or -1 for non-AI: minus the AI model's weight)."""
        w_seg = _coef(self.segment_model_)
        n_feat = X.shape[1]
        w_ai = _coef(self.ai_model_)[0] if self.ai_model_ is not None else np.zeros(n_feat)
        if w_seg.shape[0] == 1:  # two classes: one weight row serves both
            w_seg = np.broadcast_to(w_seg, (len(self.classes_), n_feat))
        table = np.concatenate([w_seg, -w_ai[None, :]]).ravel()  # the non-AI row last, at -1
        offset = (np.where(cls < 0, len(w_seg), cls) * n_feat).astype(np.int64)
        at = np.repeat(offset, np.diff(X.indptr)) + X.indices
        return X.data * table[at]

    # ----- persistence ------------------------------------------------------------------------
    def save(
        self,
        path: Path,
        extra_meta: dict[str, Any] | None = None,
        compress: int | tuple[str, int] = 0,
    ) -> str:
        """Save the model with its metadata; returns the file's sha256 (recorded in the store).
        ``compress``: joblib's, e.g. ``("xz", 6)`` for the model shipped in the package (6x smaller)."""
        self._check()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.meta_["version"] = self.version
        self.meta_.update(extra_meta or {})
        tmp = path.with_name(
            f"{path.name}.{os.getpid()}.tmp"
        )  # two writers never share a temp file
        joblib.dump(
            {"meta": self.meta_, "model": self, "taxonomy": self.taxonomy_.to_records()},
            tmp,
            compress=compress,
        )
        tmp.replace(path)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["taxonomy"] = None  # stored beside it as records; the loader passes the live taxonomy
        state.pop("_feature_names", None)
        return state

    @classmethod
    def load(cls, path: Path, taxonomy: Taxonomy | None = None) -> LearnedClassifier:
        if not path.exists():
            raise ConfigError(
                "saved model not found (train one with `aicity classify train`)", path=str(path)
            )
        try:
            blob = joblib.load(path)
        except Exception as exc:  # a damaged or foreign file: one line, with the fix
            raise ConfigError(
                f"cannot read the model file ({type(exc).__name__}); retrain with `aicity classify train`",
                path=str(path),
            ) from None
        if not isinstance(blob, dict) or blob.get("meta", {}).get("format") != FORMAT:
            raise ConfigError(
                f"not an aicity learned-classifier file (expected format {FORMAT}; "
                "retrain with `aicity classify train`)",
                path=str(path),
            )
        meta = blob["meta"]
        tax = taxonomy or load_taxonomy()
        missing = [c for c in meta["classes"] if c not in tax]
        if missing:
            raise ConfigError(
                f"the model predicts segments {missing} that the taxonomy {tax.source} lacks "
                "(retrain with this taxonomy)",
                path=str(path),
            )
        model: LearnedClassifier = blob["model"]
        model.taxonomy = tax
        model.meta_ = meta
        return model


def cross_val_predict(
    frame: pd.DataFrame,
    labels: list[str],
    taxonomy: Taxonomy,
    folds: int = 5,
    seed: int = 0,
    **params: Any,
) -> pd.DataFrame:
    """Out-of-fold predictions for every labelled firm: stratified ``folds``-fold, seeded; each fold's
    model is trained on the other folds only (features, calibration and all)."""
    y = np.asarray([str(s) for s in labels], dtype=object)
    counts = pd.Series(y).value_counts()
    if len(y) < 2 * folds or counts.max() < folds:
        raise InputError(
            f"{folds}-fold cross-validation needs at least {2 * folds} labelled firms and a label with "
            f"{folds}, received {len(y)}",
            fix="label more firms or pass a smaller --cv",
        )
    frame = frame.reset_index(drop=True)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    parts = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(np.zeros(len(y)), y))
    for fold, (train_idx, test_idx) in enumerate(splits):
        model = LearnedClassifier(taxonomy=taxonomy, seed=seed, **params)
        model.fit(frame.iloc[train_idx], list(y[train_idx]))
        test = frame.iloc[test_idx].drop(columns=["layer", "segment"], errors="ignore")
        pred = model.classify(test)
        pred["fold"] = fold
        parts.append(pred)
    return pd.concat(parts, ignore_index=True)
