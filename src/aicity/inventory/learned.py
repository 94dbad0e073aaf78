"""Learned classifier: TF-IDF on character n-grams (plus jieba words with the domain dictionary) and a
linear model, trained from labelled firms, saved with a version and its training metadata.

Character 1-3-grams need no dictionary and are deterministic; jieba words, with every taxonomy keyword
added to its dictionary, let whole terms such as 人形机器人 count as one feature. The explanation of a
prediction is its top features: the n-grams/words with the largest contribution (tf-idf x coefficient)
to the chosen segment. Labels given in the input always win; a layer label alone restricts the choice
to that layer's segments.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aicity.errors import ConfigError, InputError
from aicity.inventory.rules import RESULT_COLUMNS
from aicity.inventory.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:  # scikit-learn and joblib load when a model is built, trained or loaded (~0.5 s)
    from sklearn.pipeline import Pipeline

METHOD = "learned"
FORMAT = "aicity-learned-classifier/1"
_JIEBA_WORDS: set[str] = set()


def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.ERROR)
    return jieba


def add_domain_words(words: list[str]) -> None:
    """Add taxonomy keywords to jieba's dictionary once (a high frequency keeps them whole)."""
    jb = _jieba()
    for w in words:
        if w not in _JIEBA_WORDS:
            jb.add_word(w, freq=200_000)
            _JIEBA_WORDS.add(w)


def jieba_words(text: str) -> list[str]:
    """Word tokens for the TF-IDF word features (module level so the model pickles)."""
    return [w for w in _jieba().lcut(text.lower()) if w.strip() and len(w) > 1]


def firm_text(frame: pd.DataFrame, columns: tuple[str, ...] = ("name", "description")) -> list[str]:
    """The text a classifier reads: the given columns joined with spaces (missing -> empty)."""
    parts = [
        frame[c].fillna("").astype(str) if c in frame else pd.Series("", index=frame.index)
        for c in columns
    ]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + " " + p
    return joined.str.strip().tolist()


@dataclass
class LearnedClassifier:
    """TF-IDF (char 1-3-grams + jieba words) -> logistic regression over segment codes."""

    taxonomy: Taxonomy | None = None
    C: float = 10.0
    version: int | None = None
    pipeline_: Pipeline | None = field(default=None, repr=False)
    classes_: list[str] = field(default_factory=list)
    meta_: dict[str, Any] = field(default_factory=dict)

    @property
    def taxonomy_(self) -> Taxonomy:
        if self.taxonomy is None:
            self.taxonomy = load_taxonomy()
        return self.taxonomy

    def _build(self) -> Pipeline:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        add_domain_words([kw for s in self.taxonomy_ for kw in s.keywords])
        features = FeatureUnion(
            [
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, lowercase=True
                    ),
                ),
                (
                    "words",
                    TfidfVectorizer(
                        tokenizer=jieba_words,
                        lowercase=False,
                        token_pattern=None,
                        sublinear_tf=True,
                    ),
                ),
            ]
        )
        return Pipeline(
            [("features", features), ("model", LogisticRegression(C=self.C, max_iter=2000))]
        )

    def fit(self, texts: list[str], segments: list[str]) -> LearnedClassifier:
        tax = self.taxonomy_
        unknown = sorted({s for s in segments if s not in tax})
        if unknown:
            raise InputError(
                f"labels {unknown} are not segments of the taxonomy ({tax.source})",
                column="segment",
                fix="use the taxonomy codes, e.g. ai_chips",
            )
        classes = sorted(set(segments))
        if len(classes) < 2:
            raise InputError(
                f"training needs labelled firms of at least 2 segments, received {len(classes)} "
                f"({len(segments)} labelled firms)",
                column="segment",
            )
        self.pipeline_ = self._build().fit(texts, segments)
        self.classes_ = list(self.pipeline_.named_steps["model"].classes_)
        self.meta_ = {
            "format": FORMAT,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_train": len(texts),
            "classes": self.classes_,
            "taxonomy_source": tax.source,
            "taxonomy_codes": tax.codes,
            "sklearn": _sklearn_version(),
            "version": self.version,
        }
        return self

    def _check(self) -> Pipeline:
        if self.pipeline_ is None:
            raise ConfigError(
                "the learned classifier is not trained (run `aicity classify train` first)"
            )
        return self.pipeline_

    def classify(
        self,
        firms: pd.DataFrame,
        text_columns: tuple[str, ...] = ("name", "description"),
        top_features: int = 3,
    ) -> pd.DataFrame:
        """Same columns as the rules classifier; explanation = the top features of the chosen segment."""
        pipe = self._check()
        tax = self.taxonomy_
        texts = firm_text(firms, text_columns)
        if not texts:
            return pd.DataFrame(columns=RESULT_COLUMNS)
        proba = pipe.predict_proba(texts)
        given = firms["layer"].tolist() if "layer" in firms else [None] * len(firms)
        class_layers = np.array([tax.layer_of(c) if c in tax else "" for c in self.classes_])
        features = pipe.named_steps["features"]
        X = features.transform(texts).tocsr()
        names = np.asarray(features.get_feature_names_out())
        coef = pipe.named_steps["model"].coef_
        ids = firms["enterprise_id"].astype(str).tolist()
        rows = []
        for i, eid in enumerate(ids):
            p = proba[i].copy()
            layer_label = given[i] if isinstance(given[i], str) and given[i] else None
            if layer_label:
                p = np.where(class_layers == layer_label, p, 0.0)
                if p.sum() > 0:
                    p = p / p.sum()
            if p.sum() <= 0:
                rows.append(
                    (
                        eid,
                        None,
                        layer_label,
                        "",
                        0.0,
                        0.0,
                        "no segment of the given layer in the model",
                        METHOD,
                    )
                )
                continue
            order = np.argsort(-p, kind="stable")
            k = order[0]
            secondary = [self.classes_[j] for j in order[1:] if p[j] >= 0.2]
            row = X.getrow(i)
            w = coef[k] if coef.shape[0] > 1 else (coef[0] if k == 1 else -coef[0])
            contrib = row.data * w[row.indices]
            top = np.argsort(-contrib)[:top_features]
            feats = [
                f"{_feature_label(names[row.indices[j]])} (+{contrib[j]:.2f})"
                for j in top
                if contrib[j] > 0
            ]
            expl = (
                "top features: " + ", ".join(feats) if feats else "no positive feature (prior only)"
            )
            seg = self.classes_[k]
            rows.append(
                (
                    eid,
                    seg,
                    tax.layer_of(seg),
                    ";".join(secondary),
                    float(p[k]),
                    float(p[k]),
                    expl,
                    METHOD,
                )
            )
        return pd.DataFrame(rows, columns=RESULT_COLUMNS)

    # ----- persistence ------------------------------------------------------------------------
    def save(self, path: Path) -> str:
        """Save the model with its metadata; returns the file's sha256 (recorded in the store)."""
        self._check()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.meta_["version"] = self.version
        import joblib

        joblib.dump(
            {
                "meta": self.meta_,
                "pipeline": self.pipeline_,
                "taxonomy": self.taxonomy_.to_records(),
            },
            path,
        )
        return hashlib.sha256(path.read_bytes()).hexdigest()

    @classmethod
    def load(cls, path: Path, taxonomy: Taxonomy | None = None) -> LearnedClassifier:
        if not path.exists():
            raise ConfigError(
                "saved model not found (train one with `aicity classify train`)", path=str(path)
            )
        import joblib

        blob = joblib.load(path)
        if not isinstance(blob, dict) or blob.get("meta", {}).get("format") != FORMAT:
            raise ConfigError(
                f"not an aicity learned-classifier file (expected format {FORMAT})", path=str(path)
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
        add_domain_words([kw for s in tax for kw in s.keywords])
        model = cls(taxonomy=tax, version=meta.get("version"))
        model.pipeline_ = blob["pipeline"]
        model.classes_ = list(meta["classes"])
        model.meta_ = meta
        return model


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def _feature_label(name: str) -> str:
    """'chars__ gp' -> "'gp'" (char n-gram), 'words__芯片' -> "芯片" (word)."""
    kind, _, token = name.partition("__")
    return f"'{token}'" if kind == "chars" else token
