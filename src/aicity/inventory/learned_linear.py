"""The linear models behind the learned classifier: plain or calibrated logistic regressions, NB
log-count ratios (NBSVM, Wang & Manning 2012) folded into the weights, and one-vs-rest NB segment models."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold


def _calibrated(C: float, y: np.ndarray, balanced: bool, seed: int, calibrate: bool = False) -> Any:
    """A logistic regression; with ``calibrate``, sigmoid-calibrated by cross-validation when every
    class has 2+ examples (off by default: no more accurate in CV, and 3x the training time)."""
    base = LogisticRegression(
        C=C, max_iter=5000, class_weight="balanced" if balanced else None, random_state=seed
    )
    smallest = int(pd.Series(y).value_counts().min())
    if not calibrate or smallest < 2:
        return base
    folds = StratifiedKFold(min(3, smallest), shuffle=True, random_state=seed)
    return CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False)


def _coef(model: Any) -> np.ndarray:
    """The linear weights behind a (calibrated) logistic regression, averaged over its folds."""
    if isinstance(model, CalibratedClassifierCV):
        return np.mean([c.estimator.coef_ for c in model.calibrated_classifiers_], axis=0)
    return model.coef_


def _nb_ratio(X: sp.csr_matrix, positive: np.ndarray, alpha: float) -> np.ndarray:
    """NB log-count ratio per column: how much likelier a feature is present in a ``positive`` firm
    than in a negative one (document frequencies smoothed by ``alpha``)."""
    present = (X > 0).astype(np.float64).tocsr()
    p = alpha + np.asarray(present[positive].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[~positive].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def _fold_scaling(model: Any, scale: np.ndarray) -> None:
    """A model fitted on ``X @ diag(scale)`` made to read ``X`` itself: each weight times its scale
    (the same decision values; every fold's estimator of a calibrated model)."""
    inner = (
        [c.estimator for c in model.calibrated_classifiers_]
        if isinstance(model, CalibratedClassifierCV)
        else [model]
    )
    for est in inner:
        est.coef_ = est.coef_ * scale[None, :]


class _NbOneVsRest:
    """One logistic regression per class (the class against the rest) over the features NB-scaled
    by that class's log-count ratio, the ratio folded into its weights; probabilities: the classes'
    sigmoids normalised to sum 1. Classifies as one matrix product, like a multinomial regression."""

    def __init__(self, C: float, alpha: float, seed: int) -> None:
        self.C, self.alpha, self.seed = C, alpha, seed

    def fit(self, X: sp.csr_matrix, y: np.ndarray) -> _NbOneVsRest:
        self.classes_ = np.asarray(sorted(set(y)), dtype=object)
        coef, intercept = [], []
        for c in self.classes_:
            own = y == c
            ratio = _nb_ratio(X, own, self.alpha)
            model = _fit_quietly(
                LogisticRegression(C=self.C, max_iter=5000, random_state=self.seed),
                X @ sp.diags(ratio),
                own.astype(int),
            )
            coef.append(model.coef_[0] * ratio)
            intercept.append(model.intercept_[0])
        self.coef_ = np.vstack(coef)
        self.intercept_ = np.asarray(intercept)
        return self

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        p = expit(np.asarray(X @ self.coef_.T) + self.intercept_)
        return p / np.maximum(p.sum(axis=1, keepdims=True), np.finfo(float).tiny)


def _fit_quietly(model: Any, X: Any, y: np.ndarray) -> Any:
    with warnings.catch_warnings():
        # small classes: "the least populated class has only n members" is expected, not news
        warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        return model.fit(X, y)
