"""Fit the meaning layer on labelled messages and set its threshold on scores it did not train on.

Training instances: each conversation as one text (its label), plus every part of a harmless
conversation as a harmless text (a harmless message has no red-flag sentence, while a red flag's
sentence is not labelled). The threshold comes from 5-fold out-of-fold scores: the lowest that
fires on at most `target_false_alarms` of the harmless conversations the rule table leaves quiet.
Runners' ordinary questions (`questions`: long, chatty, about training and a mild ache) are trained on
as harmless but kept out of that count: thousands of easy negatives would otherwise lower the
threshold until it fired more often on the hard ones the policy's writers wrote.
Deterministic: fixed folds, the lbfgs solver, no sampling.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from assistant.errors import BadInput
from assistant.evaluation.guard_set import GuardExample

from . import typos

from .meaning import CHAR_FEATURES, WORD_FEATURES, MeaningModel, readings

# The policy's categories (eval/guard/README.md) → the rule table's, for the reply's reason and tier.
RULE_CATEGORY = {
    "trauma": "trauma", "severe_pain": "severe_pain", "cannot_bear_weight": "cannot_bear_weight",
    "not_improving": "not_improving", "radiating": "radiating_pain", "clicking_catching": "clicking_catching",
    "stress_fracture_history": "stress_fracture_history", "stress_fracture_signs": "femoral_neck_stress_fracture",
    "infection": "infection", "blood_clot": "blood_clot", "cauda_equina": "cauda_equina",
    "serious_disease": "serious_disease", "deformity_fracture": "hip_fracture_deformity",
    "child_limp": "child_limp", "older_fall": "older_adult_fall",
}
FOLDS = 5
REGULARISATION = 16.0  # inverse strength C; chosen by out-of-fold recall at 1 % false alarms (4, 16)


def data_fingerprint(examples: Sequence[GuardExample]) -> str:
    """Identifies the training data, so a test can tell when the shipped model is stale."""
    rows = "\n".join(f"{e.label}\t{e.category}\t{e.text}\t{e.history}" for e in examples)
    return hashlib.sha256(rows.encode()).hexdigest()[:16]


def _instances(example: GuardExample) -> list[tuple[str, bool]]:
    turns = [*example.history, example.text]
    texts = [t for _, t in readings(turns)]
    whole = texts[0]  # all turns together when there are several, else the message itself
    if example.is_red_flag:
        return [(whole, True)]
    return [(text, False) for text in dict.fromkeys(texts)]


def _fit(texts: list[str], labels: list[bool], vectors: dict[str, np.ndarray]):
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    words = TfidfVectorizer(**WORD_FEATURES, min_df=2).fit(texts)
    chars = TfidfVectorizer(**CHAR_FEATURES, min_df=2).fit(texts)
    features = hstack([csr_matrix(np.stack([vectors[t] for t in texts])), words.transform(texts),
                       chars.transform(texts)]).tocsr()
    classifier = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    classifier.fit(features, np.array(labels))
    return words, chars, classifier


def _as_model(words, chars, classifier, threshold: float, exemplars: np.ndarray, categories: Sequence[str],
              typo_vocabulary: dict[str, int], meta: dict) -> MeaningModel:
    return MeaningModel(
        tuple(words.get_feature_names_out().tolist()), words.idf_.astype(np.float64),
        tuple(chars.get_feature_names_out().tolist()), chars.idf_.astype(np.float64),
        classifier.coef_[0].astype(np.float64), float(classifier.intercept_[0]), threshold, exemplars,
        tuple(categories), typo_vocabulary, meta)


def fit(examples: Sequence[GuardExample], encode: Callable[[list[str]], np.ndarray],
        target_false_alarms: float = 0.01, data_name: str = "",
        questions: Sequence[GuardExample] = ()) -> MeaningModel:
    """The fitted meaning model. `encode` embeds a batch of texts. The rule table's own false alarms are the
    rules' to answer for: the threshold is set on the harmless messages of `examples` the rules leave quiet.
    `questions` are harmless messages trained on but not counted there."""
    from sklearn.model_selection import StratifiedKFold

    from . import rule_flags

    unknown = sorted({e.category for e in examples if e.is_red_flag} - RULE_CATEGORY.keys())
    if unknown:
        raise BadInput(f"Unknown red-flag categories {unknown} in {data_name or 'the training data'}; use one of "
                       f"{sorted(RULE_CATEGORY)}.")
    if any(q.is_red_flag for q in questions):
        raise BadInput("The ordinary questions must all be harmless; red flags belong in the training data.")
    counted = np.array([True] * len(examples) + [False] * len(questions))
    examples = [*examples, *questions]
    red = [e for e in examples if e.is_red_flag]
    typo_vocabulary = dict(typos.vocabulary(t for e in red for t in (*e.history, e.text)))
    fix = typos.TypoFixer(typo_vocabulary)
    rules = np.array([bool(rule_flags((*e.history, e.text), fix)) for e in examples])
    per_example = [_instances(e) for e in examples]
    candidates = [[t for _, t in readings([*e.history, e.text])] for e in examples]
    all_texts = sorted({t for group in candidates for t in group} | {t for group in per_example for t, _ in group})
    vectors = dict(zip(all_texts, encode(all_texts)))
    labels = np.array([e.is_red_flag for e in examples])

    out_of_fold = np.zeros(len(examples))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(np.zeros(len(examples)), labels):
        texts = [t for i in train for t, _ in per_example[i]]
        words, chars, classifier = _fit(texts, [y for i in train for _, y in per_example[i]], vectors)
        fold_model = _as_model(words, chars, classifier, 0.0, np.zeros((0, 384)), (), {}, {})
        for i in test:
            group = candidates[i]
            out_of_fold[i] = fold_model.scores(group, np.stack([vectors[t] for t in group])).max()

    quiet = ~labels & ~rules & counted
    threshold = float(np.quantile(out_of_fold[quiet], 1 - target_false_alarms)) if quiet.any() else 0.0
    fires = out_of_fold > threshold
    meta = {
        "data": data_name, "data_sha256": data_fingerprint(examples),
        "examples": len(examples), "ordinary_questions": len(questions), "red_flags": int(labels.sum()),
        "folds": FOLDS, "C": REGULARISATION,
        "target_false_alarms": target_false_alarms,
        "out_of_fold": {
            "meaning_recall": round(float(fires[labels].mean()), 4),
            "combined_recall": round(float((fires | rules)[labels].mean()), 4),
            "rules_recall": round(float(rules[labels].mean()), 4),
            "combined_false_alarms": round(float((fires | rules)[~labels & counted].mean()), 4),
            "rules_false_alarms": round(float(rules[~labels & counted].mean()), 4),
            "questions_false_alarms": round(float((fires | rules)[~counted].mean()), 4) if questions else 0.0,
        },
    }
    texts = [t for group in per_example for t, _ in group]
    words, chars, classifier = _fit(texts, [y for group in per_example for _, y in group], vectors)
    exemplars = np.stack([vectors[_instances(e)[0][0]] for e in red]) if red else np.zeros((0, 384))
    categories = [RULE_CATEGORY[e.category] for e in red]
    return _as_model(words, chars, classifier, threshold, exemplars, categories, typo_vocabulary, meta)
