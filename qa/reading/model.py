"""The fitted reader: two logistic regressions stored as plain numbers in reader.json.

The ranker gives each candidate sentence the probability that it holds the answer; the
answerability model gives the question the probability that the collection answers it (the
confidence shown to users and compared with the refusal threshold). Both are fitted by
evals/train_reader.py with scikit-learn; applying one is a dot product and a logistic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

PARAMETERS = Path(__file__).with_name("reader.json")


@dataclass(frozen=True)
class LinearModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: dict) -> LinearModel:
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
        )

    def probability(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        z = ((np.asarray(rows, dtype=np.float64) - self.mean) / self.scale) @ self.coef
        return 1.0 / (1.0 + np.exp(-(z + self.intercept)))


@dataclass(frozen=True)
class ReaderModel:
    ranker: LinearModel
    answerability: LinearModel
    short_answer: LinearModel


@cache
def load_reader(path: Path = PARAMETERS) -> ReaderModel:
    """The fitted parameters (cached); checked against the features this code computes."""
    from qa.reading.features import QUESTION_FEATURES, SENTENCE_FEATURES
    from qa.reading.short_answer import CANDIDATE_FEATURES

    data = json.loads(Path(path).read_text())
    model = ReaderModel(*(LinearModel.from_dict(data[part]) for part in _PARTS))
    expected = (SENTENCE_FEATURES, QUESTION_FEATURES, CANDIDATE_FEATURES)
    if [list(m.features) for m in (model.ranker, model.answerability, model.short_answer)] != [
        list(e) for e in expected
    ]:
        raise RuntimeError(
            f"{path} was fitted for other features: run python -m evals.train_reader"
        )
    return model


_PARTS = ("ranker", "answerability", "short_answer")
