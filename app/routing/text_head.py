"""The router's second vote: what a message's letters and words say, beside what its embedding says.

The sentence encoder is English and smooths spelling away; a typo, a word of another language or
a rare phrasing moves the embedding towards whatever it half-resembles. Character n-grams read
the same message from its surface ("reembolso", "refnd", "photo?", "zwrot"), so the two votes
err on different messages. A multinomial logistic regression over TF-IDF character n-grams
(2–5, inside word bounds) and word uni-/bigrams, fitted on the same exemplars, gives P(label);
the router averages it with the embedding head's.

Measured on the leave-one-source-out split (each exemplar family routed by a router built from
the others), in-scope accuracy rose from 0.909 to 0.953 at an even average (0.3: 0.936, 0.7:
0.953), and on `intents_unseen4.jsonl`, written blind after the weight was chosen, from 0.844
to 0.903 (0.953 once the `languages` exemplar family was added beside it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A little stronger than the embedding head's C: sparse n-gram features need less shrinkage to
# keep a rare word's evidence ("rastreo", "zwrot") from being averaged away.
TEXT_HEAD_C = 10.0


class TextHead:
    """P(label) from character and word n-grams; labels are ids 0..n_labels-1, and a label with
    no exemplar gets probability 0."""

    def __init__(self, texts: Sequence[str], label_ids: np.ndarray, n_labels: int) -> None:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.n_labels = n_labels
        self._vectorizers = (
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
        )
        matrix = hstack([v.fit_transform(list(texts)) for v in self._vectorizers]).tocsr()
        self._classes = np.unique(label_ids)
        self._weights: np.ndarray | None = None
        self._bias: np.ndarray | None = None
        if len(self._classes) > 1:
            model = LogisticRegression(
                C=TEXT_HEAD_C, class_weight="balanced", max_iter=3000, random_state=0
            ).fit(matrix, label_ids)
            self._classes = model.classes_
            # Two labels: sklearn keeps one row, the second label's logit against a zero.
            two = len(self._classes) == 2
            coef = (
                np.vstack([np.zeros_like(model.coef_[0]), model.coef_[0]]) if two else model.coef_
            )
            bias = np.array([0.0, model.intercept_[0]]) if two else model.intercept_
            self._weights, self._bias = np.ascontiguousarray(coef.T), bias

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), n_labels) rows that sum to 1."""
        out = np.zeros((len(texts), self.n_labels))
        if self._weights is None or self._bias is None:
            out[:, self._classes[0]] = 1.0
            return out
        import sklearn
        from scipy.sparse import hstack

        # The multinomial model's softmax, computed here rather than by `predict_proba`:
        # sklearn's per-call input validation was half of the head's ~1.4 ms a message on the
        # routing path; the vectorizers are the library's, inputs are our own strings.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            matrix = hstack([v.transform(list(texts)) for v in self._vectorizers]).tocsr()
        logits = np.asarray(matrix @ self._weights) + self._bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        out[:, self._classes] = exp / exp.sum(axis=1, keepdims=True)
        return out
