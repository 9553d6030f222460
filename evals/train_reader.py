"""Fit the reader (qa/reading/reader.json) on SQuAD 2.0 *training* articles.

    python -m evals.train_reader                    # index, extract features, fit, write
    python -m evals.train_reader --check            # fit again; compare with the stored file

The data is ../shared/benchmarks/squad2-train (10 articles, 4,719 questions, 348 unanswerable):
never the dev sets the README reports on. Every question goes through the assistant's own
retrieval and evidence scoring (`Assistant.gather`, real embedding model, default settings), so
the features are those seen when answering. Two scikit-learn logistic regressions:
- the ranker: one row per candidate sentence of an answerable question, labelled 1 when the
  sentence contains a gold answer;
- the answerability model: one row per question, labelled answerable or not, from question
  features that include the ranker's probabilities. Those probabilities are cross-validated
  (5 folds by question), so the model learns from what the ranker does on questions it has
  not seen. Classes are weighted evenly (the training data is 93% answerable);
- the short-answer model: one row per candidate phrase (qa/reading/short_answer.py) of the
  first candidate sentence that holds a gold answer, labelled 1 at token F1 >= 0.5.
The refusal threshold itself is chosen on SQuAD dev (benchmarks/reading.py), not here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared")) / "benchmarks/squad2-train"
C = 1.0
FOLDS = 5
SPAN_F1 = 0.5  # a candidate phrase is a right short answer at this token F1 to a gold answer


def extract(data: Path, data_dir: Path) -> dict[str, np.ndarray]:
    """Features and labels of every question in `data`, indexed into `data_dir` if needed."""
    from evals.metrics import best_token_f1, contains_any
    from evals.schema import load_eval_set
    from qa.factory import build_assistant, build_indexer
    from qa.question_types import analyse
    from qa.reading.features import sentence_features
    from qa.reading.reader import chunk_similarities
    from qa.reading.short_answer import candidate_features, candidates
    from qa.settings import Settings
    from qa.timing import Timings

    settings = Settings(data_dir=data_dir, answer_mode="extractive")
    build_indexer(settings).index([data / "corpus"])
    assistant = build_assistant(settings)
    items = load_eval_set(data / "questions.jsonl").items
    rows, labels, groups, answerable, saved, spans, span_labels = [], [], [], [], [], [], []
    for q, item in enumerate(items):
        chunks, evidence = assistant.gather(item.question, Timings())
        analysis = analyse(item.question)
        features = sentence_features(
            analysis, evidence, assistant.retriever.idf, chunk_similarities(chunks)
        )
        rows.append(features)
        labels += [item.answerable and contains_any(e.text, item.answers) for e in evidence]
        groups += [q] * len(evidence)
        answerable.append(item.answerable)
        saved.append((analysis, evidence))
        gold = next((e for e in evidence if contains_any(e.text, item.answers)), None)
        if item.answerable and gold is not None:
            found = candidates(gold.text, gold.annotation)
            spans.append(candidate_features(analysis, gold.text, gold.annotation, found))
            span_labels += [
                best_token_f1(gold.text[c.start : c.end], item.answers) >= SPAN_F1 for c in found
            ]
        if q % 500 == 0:
            print(f"  {q}/{len(items)} questions", file=sys.stderr)
    return {
        "rows": np.concatenate(rows),
        "labels": np.asarray(labels, dtype=bool),
        "groups": np.asarray(groups),
        "answerable": np.asarray(answerable, dtype=bool),
        "saved": saved,
        "spans": np.concatenate(spans),
        "span_labels": np.asarray(span_labels, dtype=bool),
        "idf": assistant.retriever.idf,
    }


def fit(extracted: dict) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    from qa.reading.features import QUESTION_FEATURES, SENTENCE_FEATURES, question_features
    from qa.reading.short_answer import CANDIDATE_FEATURES

    rows, labels, groups = extracted["rows"], extracted["labels"], extracted["groups"]
    answerable = extracted["answerable"]
    on_answerable = answerable[groups]

    def logistic(x, y, balanced=False):
        scaler = StandardScaler().fit(x)
        model = LogisticRegression(
            C=C, max_iter=5000, class_weight="balanced" if balanced else None
        ).fit(scaler.transform(x), y)
        return scaler, model

    ranker = logistic(rows[on_answerable], labels[on_answerable])
    # Out-of-fold ranker probabilities for the answerability model.
    probabilities = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=FOLDS).split(rows, labels, groups):
        keep = train[on_answerable[train]]
        scaler, model = logistic(rows[keep], labels[keep])
        probabilities[test] = model.predict_proba(scaler.transform(rows[test]))[:, 1]
    question_rows = []
    for q, (analysis, evidence) in enumerate(extracted["saved"]):
        p = probabilities[groups == q]
        order = np.argsort(-p, kind="stable")
        question_rows.append(
            question_features(analysis, [evidence[i] for i in order], p[order], extracted["idf"])[0]
        )
    question_rows = np.asarray(question_rows)
    answerability = logistic(question_rows, answerable, balanced=True)
    short = logistic(extracted["spans"], extracted["span_labels"])
    return {
        "fitted_by": "python -m evals.train_reader",
        "data": "squad2-train",
        "C": C,
        "questions": int(len(answerable)),
        "unanswerable": int((~answerable).sum()),
        "sentences": int(len(rows)),
        "ranker": _parameters(SENTENCE_FEATURES, *ranker),
        "answerability": _parameters(QUESTION_FEATURES, *answerability),
        "short_answer": _parameters(CANDIDATE_FEATURES, *short),
    }


def _parameters(features: list[str], scaler, model) -> dict:
    def numbers(values) -> list[float]:
        return [float(f"{v:.6g}") for v in values]

    scale = np.where(scaler.scale_ == 0, 1.0, scaler.scale_)
    return {
        "features": features,
        "mean": numbers(scaler.mean_),
        "scale": numbers(scale),
        "coef": numbers(model.coef_[0]),
        "intercept": float(f"{model.intercept_[0]:.6g}"),
    }


def same_parameters(a: dict, b: dict, tolerance: float = 0.02) -> bool:
    """Whether two fits agree (coefficients on standardised features within `tolerance`)."""
    for part in ("ranker", "answerability", "short_answer"):
        x, y = a[part], b[part]
        if x["features"] != y["features"]:
            return False
        pairs = list(zip(x["coef"] + [x["intercept"]], y["coef"] + [y["intercept"]], strict=True))
        if any(abs(u - v) > tolerance * max(1.0, abs(u)) for u, v in pairs):
            return False
    return True


def main() -> None:
    from qa.reading.model import PARAMETERS

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--data-dir", type=Path, help="reuse this index of the training corpus")
    parser.add_argument("--out", type=Path, default=PARAMETERS)
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    start = time.perf_counter()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="qa-train-reader-"))
    fitted = fit(extract(args.data, data_dir))
    seconds = time.perf_counter() - start
    if args.check:
        stored = json.loads(args.out.read_text())
        same = same_parameters(stored, fitted)
        print(f"retrained in {seconds:.0f} s: {'same as' if same else 'DIFFERENT from'} {args.out}")
        sys.exit(0 if same else 1)
    args.out.write_text(json.dumps(fitted, indent=1) + "\n")
    print(f"fitted in {seconds:.0f} s on {fitted['questions']} questions; wrote {args.out}")


if __name__ == "__main__":
    main()
