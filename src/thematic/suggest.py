"""NLP-assisted coding (Braun & Clarke phase 2): suggest codebook codes for segments, and
measure honestly how often the suggestions agree with a human coder.

:class:`CodeSuggester` is a scikit-learn estimator over segments and a 0/1 code matrix. A
segment is its text or, better, a row of :func:`suggestion_inputs`: its text, the interviewer's
question it answers, the speaker's group and its position in the interview. Features are word
and character n-gram TF-IDF of the text (the default, needing nothing beyond scikit-learn),
blocks for the question, group and position, and, optionally, sentence embeddings
(:mod:`thematic.embeddings`, the ``[embed]`` extra). One class-balanced linear SVM per code
scores each segment. An inner cross-validation on the training data only gives out-of-fold
decision values, from which each code's score is calibrated to a probability (Platt scaling)
and its threshold chosen. Codes with few coded examples are bootstrapped from their codebook
text (definition, inclusion note, examples). Each suggestion carries its evidence: the terms
that drove the score and the nearest human-coded exemplars.

How far to trust the suggestions is measured by grouped cross-validation (:func:`out_of_fold`)
and, per code, with interview-cluster bootstrap intervals (:func:`reliability_by_code`) read by
a declared rule (:func:`flag_unreliable`).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from typing import Annotated

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from pydantic import Field
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, KFold
from sklearn.preprocessing import OneHotEncoder, normalize
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from thematic.cache import cache_results
from thematic.errors import Errors, ParameterError
from thematic.resample import ClusterBootstrap
from thematic.parameters import Parameter

#: Candidate decision thresholds for each code (a score at or above it is suggested).
THRESHOLD_GRID = np.round(np.concatenate([np.arange(0.02, 0.1, 0.02), np.arange(0.1, 0.96, 0.05)]), 2)
#: Version of the suggestion method, recorded in every accepted suggestion's provenance.
METHOD_VERSION = "4"
#: Per-code linear models the suggester can use.
HEADS = ("svm", "logistic")
#: Columns of a segment the suggester reads (see :func:`suggestion_inputs`); only ``text`` is required.
INPUT_COLUMNS = ("text", "question", "group", "position")


def suggestion_inputs(X) -> pd.DataFrame:
    """Segments as the suggester reads them: a DataFrame with ``text``, ``question`` (the
    interviewer's question the segment answers, "" if none), ``group`` (the speaker's group,
    "" if unknown) and ``position`` (in the interview, 0-1; NaN if unknown).

    *X* is a sequence of texts or a DataFrame with at least a ``text`` column; missing columns
    are filled as unknown, so plain texts work everywhere a segment table does.
    """
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ParameterError(Errors.E907.format(columns=", ".join(map(str, X.columns)) or "none"))
        frame = X
    else:
        frame = pd.DataFrame({"text": list(X)})
    out = pd.DataFrame({"text": frame["text"].fillna("").astype(str).to_numpy()})
    for column in ("question", "group"):
        values = frame[column] if column in frame.columns else pd.Series("", index=frame.index)
        out[column] = values.fillna("").astype(str).to_numpy()
    position = frame["position"] if "position" in frame.columns else pd.Series(np.nan, index=frame.index)
    out["position"] = pd.to_numeric(position, errors="coerce").clip(0, 1).to_numpy(dtype=float)
    return out


class CodeSuggester(BaseEstimator):
    """Suggest codes for texts: TF-IDF (+ optional sentence embeddings) and one linear model
    per code, with calibrated scores and per-code thresholds chosen on training data only.

    Parameters
    ----------
    head : {"svm", "logistic"}
        Each code's model: a class-balanced linear SVM (the default: better and faster on
        the NHS benchmark) or a class-balanced logistic regression.
    C : float
        Inverse regularisation strength of each code's model.
    word_ngrams : tuple
        Word n-gram range of the word TF-IDF.
    char_ngrams : tuple or None
        Character n-gram range (within word boundaries) of a second TF-IDF; None disables it.
    char_features : int
        Most frequent character n-grams kept (those in at least 3 texts).
    embedding : None, str or object
        None (TF-IDF only), ``"minilm"`` (the bundled all-MiniLM-L6-v2, needs the ``[embed]``
        extra) or an object with ``encode(texts) -> ndarray`` and a ``name``.
    embedding_weight : float
        Scale of the (unit-length) embedding block next to the unit-length TF-IDF blocks.
    question_weight : float
        Scale of the question block: word TF-IDF of the interviewer's question the segment
        answers (and its sentence embedding, with *embedding*); 0 (the default) leaves it out:
        it helped on the sample study but not on the NHS validation part.
    group_weight : float
        Scale of the speaker's group (one-hot); 0 leaves it out. The default 0.5 was chosen on
        the NHS validation part and the sample (``docs/code-suggestions.md``).
    position_weight : float
        Scale of the position in the interview (one-hot of *position_bins* equal bins); 0 (the
        default) leaves it out: it helped neither the sample nor the NHS set.
    position_bins : int
        Bins of the position block.
    code_texts : mapping or None
        Code -> codebook texts (definition, inclusion note, examples) used as extra positive
        examples for codes with fewer than *bootstrap_below* coded examples.
    bootstrap_below : int
        Codes with fewer coded training examples than this are bootstrapped from *code_texts*
        (50, chosen on the validation part: in a study of a few hundred segments, every code).
    threshold_folds : int
        Folds of the inner cross-validation whose out-of-fold scores calibrate each code and
        pick its threshold.
    own_threshold_from : int
        Codes with at least this many coded examples get their own calibration and
        threshold; rarer codes share the calibration fitted on all codes and the threshold
        that maximises their mean F1.
    fine_tune : bool
        Fine-tune the sentence encoder on the training segments before learning the heads
        (SetFit-style contrastive pairs: segments sharing a code pulled together, the others
        pushed apart; :mod:`thematic.finetune`). Needs *embedding* to name a bundled encoder
        (``"minilm"``) and the ``[embed]`` extra. Off by default: see
        ``docs/code-suggestions.md`` for what it measured.
    fine_tune_budget_s : float
        Most seconds fine-tuning may take; it stops early (with warning W260) rather than
        overrun. The heads' fitting and encoding come on top.
    fine_tune_iterations : int
        SetFit's pairs per segment: ``2 * iterations`` pairs per training segment, one epoch.
    fine_tune_learning_rate : float
        Learning rate of the encoder's weights while fine-tuning.
    random_state : int
        Seed of the inner cross-validation split and of fine-tuning.
    """

    def __init__(self, *, head: str = "svm", C: float = 0.5, word_ngrams: tuple[int, int] = (1, 2),
                 char_ngrams: tuple[int, int] | None = (3, 5), char_features: int = 20_000, embedding=None,
                 embedding_weight: float = 1.0, question_weight: float = 0.0, group_weight: float = 0.5,
                 position_weight: float = 0.0, position_bins: int = 5,
                 code_texts: Mapping[str, Sequence[str]] | None = None,
                 bootstrap_below: int = 50, threshold_folds: int = 3, own_threshold_from: int = 10,
                 fine_tune: bool = False, fine_tune_budget_s: float = 120.0, fine_tune_iterations: int = 3,
                 fine_tune_learning_rate: float = 2e-5, random_state: int = 0):
        self.head = head
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.char_features = char_features
        self.embedding = embedding
        self.embedding_weight = embedding_weight
        self.question_weight = question_weight
        self.group_weight = group_weight
        self.position_weight = position_weight
        self.position_bins = position_bins
        self.code_texts = code_texts
        self.bootstrap_below = bootstrap_below
        self.threshold_folds = threshold_folds
        self.own_threshold_from = own_threshold_from
        self.fine_tune = fine_tune
        self.fine_tune_budget_s = fine_tune_budget_s
        self.fine_tune_iterations = fine_tune_iterations
        self.fine_tune_learning_rate = fine_tune_learning_rate
        self.random_state = random_state

    # -- features -------------------------------------------------------------------------
    def _encoder(self):
        if self.embedding is None or not isinstance(self.embedding, str):
            return self.embedding
        from thematic.embeddings import load_encoder

        return load_encoder(self.embedding)

    def _fine_tuned_encoder(self, texts: list[str], Y: np.ndarray):
        """A copy of the bundled encoder fine-tuned on the training texts and their codes."""
        from thematic.embeddings import KNOWN_ENCODERS
        from thematic.finetune import fine_tune

        if not isinstance(self.embedding, str) or self.embedding not in KNOWN_ENCODERS:
            raise ParameterError(Errors.E982.format(known=sorted(KNOWN_ENCODERS), embedding=self.embedding))
        encoder, self.fine_tune_report_ = fine_tune(texts, Y, name=self.embedding,
                                                    budget_s=self.fine_tune_budget_s,
                                                    iterations=self.fine_tune_iterations,
                                                    learning_rate=self.fine_tune_learning_rate,
                                                    seed=self.random_state)
        return encoder

    def _new_vectorizers(self) -> list[TfidfVectorizer]:
        vectorizers = [TfidfVectorizer(sublinear_tf=True, ngram_range=tuple(self.word_ngrams),
                                       strip_accents="unicode")]
        if self.char_ngrams:
            vectorizers.append(TfidfVectorizer(sublinear_tf=True, analyzer="char_wb",
                                               ngram_range=tuple(self.char_ngrams), min_df=3,
                                               max_features=self.char_features, strip_accents="unicode"))
        return vectorizers

    def _features(self, inputs: pd.DataFrame, *, fit: bool = False, Y: np.ndarray | None = None) -> sparse.csr_matrix:
        """The feature matrix of *inputs* (a :func:`suggestion_inputs` frame): text blocks first
        (the word block leads: evidence reads it), then question, group and position. When
        fitting with *fine_tune*, the encoder is first fine-tuned on *inputs*' texts and *Y*."""
        texts = inputs["text"].tolist()
        if fit:
            self.vectorizers_ = self._new_vectorizers()
            self.fine_tune_report_ = None
            self.encoder_ = self._fine_tuned_encoder(texts, Y) if self.fine_tune else self._encoder()
            self.blocks_ = ["words"] + (["characters"] if self.char_ngrams else []) + (
                ["embedding"] if self.encoder_ is not None else [])
        blocks = []
        for vectorizer in self.vectorizers_:
            if fit:
                matrix = vectorizer.fit_transform(texts)
                # scikit-learn leaves numpy integers as the vocabulary's indices; plain ints index
                # the same columns and make a fitted model pickle (into the results cache, back
                # from a worker) in about half the time
                vectorizer.vocabulary_ = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
            else:
                matrix = vectorizer.transform(texts)
            blocks.append(normalize(matrix))
        if self.encoder_ is not None:
            blocks.append(sparse.csr_matrix(self._embed(texts) * self.embedding_weight))
        blocks.extend(self._context_features(inputs, fit=fit))
        return sparse.hstack(blocks, format="csr")

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = normalize(np.asarray(self.encoder_.encode(texts), dtype=float))
        vectors[[not t.strip() for t in texts]] = 0.0  # nothing said, nothing to embed
        return vectors

    def _context_features(self, inputs: pd.DataFrame, *, fit: bool) -> list[sparse.csr_matrix]:
        """Question, group and position blocks; a block is left out when its weight is 0 or
        the training segments carry no such information (no question, one group...)."""
        if fit:
            self.question_vectorizer_ = self.group_encoder_ = None
            self.position_used_ = False
            asked = inputs["question"].str.strip() != ""
            if self.question_weight > 0 and asked.any():
                self.question_vectorizer_ = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2),
                                                            strip_accents="unicode")
                self.question_vectorizer_.fit(inputs.loc[asked, "question"])
                self.blocks_.append("question")
            groups = inputs.loc[inputs["group"] != "", "group"]
            if self.group_weight > 0 and groups.nunique() > 1:
                self.group_encoder_ = OneHotEncoder(handle_unknown="ignore").fit(groups.to_frame())
                self.blocks_.append("group")
            if self.position_weight > 0 and inputs["position"].notna().any():
                self.position_used_ = True
                self.blocks_.append("position")
        blocks = []
        if self.question_vectorizer_ is not None:
            questions = inputs["question"].tolist()
            blocks.append(normalize(self.question_vectorizer_.transform(questions)) * self.question_weight)
            if self.encoder_ is not None:
                blocks.append(sparse.csr_matrix(self._embed(questions) * self.question_weight))
        if self.group_encoder_ is not None:
            blocks.append(sparse.csr_matrix(self.group_encoder_.transform(inputs[["group"]]) * self.group_weight))
        if self.position_used_:
            position = inputs["position"].to_numpy(dtype=float)
            known = ~np.isnan(position)
            bins = np.minimum((np.nan_to_num(position) * self.position_bins).astype(int), self.position_bins - 1)
            onehot = sparse.csr_matrix((np.full(known.sum(), float(self.position_weight)),
                                        (np.flatnonzero(known), bins[known])),
                                       shape=(len(position), self.position_bins))
            blocks.append(onehot)
        return blocks

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, X, Y: pd.DataFrame | np.ndarray) -> CodeSuggester:
        """Learn from segments *X* (texts, or a frame as :func:`suggestion_inputs` takes) and
        their 0/1 code matrix *Y* (segments x codes).

        With a DataFrame *Y*, its columns name the codes and its index identifies the
        exemplars shown as evidence.
        """
        inputs = suggestion_inputs(X)
        if isinstance(Y, pd.DataFrame):
            self.codes_, exemplar_ids = list(Y.columns), [str(i) for i in Y.index]
        else:
            self.codes_, exemplar_ids = list(range(np.shape(Y)[1])), [str(i) for i in range(len(inputs))]
        Y = np.asarray(Y, dtype=int)
        if len(inputs) != len(Y):
            raise ParameterError(Errors.E900.format(texts=len(inputs), rows=len(Y)))
        if self.head not in HEADS:
            raise ParameterError(Errors.E906.format(head=self.head, known=list(HEADS)))
        with threadpool_limits(limits=1):  # many small fits: BLAS threads only contend
            return self._fit(inputs, Y, exemplar_ids)

    def _fit(self, inputs: pd.DataFrame, Y: np.ndarray, exemplar_ids: list[str]) -> CodeSuggester:
        extra_texts, extra_Y = self._bootstrap_examples(Y)
        self.bootstrapped_ = sorted({self.codes_[k] for k in np.flatnonzero(extra_Y.sum(axis=0))},
                                    key=str) if len(extra_Y) else []
        all_inputs = pd.concat([inputs, suggestion_inputs(extra_texts)], ignore_index=True) if extra_texts else inputs
        all_Y = np.vstack([Y, extra_Y]) if len(extra_Y) else Y
        X = self._features(all_inputs, fit=True, Y=all_Y)
        self.heads_ = self._fit_heads(X, all_Y)
        self.thresholds_ = self._choose_thresholds(X, all_Y, n_coded=len(inputs))
        # Evidence: the human-coded exemplars (not the codebook texts) and their features.
        self.exemplar_X_ = X[: len(inputs)]
        self.exemplar_Y_ = Y
        self.exemplar_ids_ = exemplar_ids
        self.exemplar_inputs_ = inputs
        self.support_ = Y.sum(axis=0)
        return self

    def _bootstrap_examples(self, Y: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Codebook texts as extra positive examples for codes with few coded examples."""
        texts, rows = [], []
        if not self.code_texts:
            return texts, np.zeros((0, Y.shape[1]), dtype=int)
        for k, code in enumerate(self.codes_):
            if Y[:, k].sum() >= self.bootstrap_below:
                continue
            for text in self.code_texts.get(code, ()):
                if str(text).strip():
                    row = np.zeros(Y.shape[1], dtype=int)
                    row[k] = 1
                    texts.append(str(text))
                    rows.append(row)
        return texts, (np.array(rows) if rows else np.zeros((0, Y.shape[1]), dtype=int))

    def _new_head(self) -> LinearSVC | LogisticRegression:
        if self.head == "logistic":
            return LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000)
        # tol 1e-2: on the NHS benchmark the same figures to 4 decimals as the default 1e-4,
        # at a third of the fitting time.
        return LinearSVC(C=self.C, class_weight="balanced", tol=1e-2, random_state=self.random_state)

    def _fit_heads(self, X, Y: np.ndarray) -> list[LinearSVC | LogisticRegression | None]:
        heads = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for k in range(Y.shape[1]):
                positives = int(Y[:, k].sum())
                heads.append(None if positives in (0, len(Y)) else clone(self._new_head()).fit(X, Y[:, k]))
        return heads

    @staticmethod
    def _decisions(X, heads) -> np.ndarray:
        """Raw decision values (signed distance to each code's boundary); NaN without a head."""
        decisions = np.full((X.shape[0], len(heads)), np.nan)
        for k, head in enumerate(heads):
            if head is not None:
                decisions[:, k] = head.decision_function(X)
        return decisions

    def _scores(self, X, heads) -> np.ndarray:
        """Calibrated scores in [0, 1]; 0 for a code without a model."""
        return _calibrate(self._decisions(X, heads), self.calibration_)

    def _choose_thresholds(self, X, Y: np.ndarray, *, n_coded: int) -> np.ndarray:
        """Calibrate each code on out-of-fold decision values of the coded rows, then pick the
        grid threshold maximising F1 of the calibrated out-of-fold scores.

        A code with fewer than *own_threshold_from* coded examples (its own curve and
        threshold would rest on too few cases) gets the calibration fitted on all codes
        pooled and the threshold that maximises the mean F1 of those rare codes; so does a
        code learnt only from its codebook texts. Codebook texts stay in every training fold
        and are never scored. A code without any model keeps 0.5 (its score is always 0).
        """
        thresholds = np.full(Y.shape[1], 0.5)
        self.calibration_ = np.tile([1.0, 0.0], (Y.shape[1], 1))
        folds = min(self.threshold_folds, n_coded)
        if folds < 2:
            return thresholds
        coded = np.arange(n_coded)
        extra = np.arange(n_coded, len(Y))
        decisions = np.full((n_coded, Y.shape[1]), np.nan)
        for train, test in KFold(folds, shuffle=True, random_state=self.random_state).split(coded):
            rows = np.concatenate([train, extra])
            decisions[test] = self._decisions(X[test], self._fit_heads(X[rows], Y[rows]))
        truth = Y[:n_coded]
        self.calibration_ = _fit_calibration(decisions, truth, own_from=self.own_threshold_from)
        scores = _calibrate(decisions, self.calibration_)
        positives = truth.sum(axis=0)
        # Codes too rare for their own threshold share one, chosen to maximise their mean F1
        # (the quantity macro-F1 averages), not F1 pooled over all codes, which the common
        # codes dominate.
        rare = [k for k in range(Y.shape[1])
                if 0 < positives[k] < self.own_threshold_from]
        if rare:
            shared = [np.mean([_f1(truth[:, k], scores[:, k] >= t) for k in rare]) for t in THRESHOLD_GRID]
        else:
            shared = [_f1(truth.ravel(), (scores >= t).ravel()) for t in THRESHOLD_GRID]
        self.pooled_threshold_ = float(THRESHOLD_GRID[int(np.argmax(shared))])
        for k in range(Y.shape[1]):
            if positives[k] < self.own_threshold_from:
                # also codes known only from their codebook texts (no coded example)
                if positives[k] > 0 or self.heads_[k] is not None:
                    thresholds[k] = self.pooled_threshold_
                continue
            f1 = [_f1(truth[:, k], scores[:, k] >= t) for t in THRESHOLD_GRID]
            thresholds[k] = THRESHOLD_GRID[int(np.argmax(f1))]
        return thresholds

    # -- predicting -------------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Score of every code for every segment (segments x codes)."""
        with threadpool_limits(limits=1):
            return self._scores(self._features(suggestion_inputs(X)), self.heads_)

    def transform(self, X) -> sparse.csr_matrix:
        """The model's features of segments *X*: the weighted, unit-length blocks its heads
        read (cosine similarity between rows compares segments as the model sees them)."""
        with threadpool_limits(limits=1):
            return self._features(suggestion_inputs(X))

    def predict(self, X) -> np.ndarray:
        """0/1 suggestions: a code's score at or above its threshold."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def suggest(self, X, *, top_k: int = 3, evidence_terms: int = 5, exemplars: int = 2) -> pd.DataFrame:
        """The *top_k* codes per text ranked by score, each with its evidence.

        Columns: item (position in *X*), rank, code, score, threshold, above_threshold,
        evidence (the words whose weights raised the score most), exemplars (ids of the
        nearest human-coded segments carrying the code).
        """
        inputs = suggestion_inputs(X)
        with threadpool_limits(limits=1):
            X = self._features(inputs)
            scores = self._scores(X, self.heads_)
        vocabulary = self.vectorizers_[0].get_feature_names_out()
        n_words = len(vocabulary)
        similarity = (X @ self.exemplar_X_.T).toarray() if exemplars else None
        rows = []
        for i in range(len(inputs)):
            for rank, k in enumerate(np.argsort(-scores[i], kind="stable")[:top_k], start=1):
                rows.append({"item": i, "rank": rank, "code": self.codes_[k],
                             "score": round(float(scores[i, k]), 4),
                             "threshold": float(self.thresholds_[k]),
                             "above_threshold": bool(scores[i, k] >= self.thresholds_[k]),
                             "evidence": ", ".join(self._top_terms(X[i], k, vocabulary, n_words,
                                                                   evidence_terms)),
                             "exemplars": "; ".join(self._nearest(similarity, i, k, exemplars))})
        return pd.DataFrame(rows, columns=["item", "rank", "code", "score", "threshold",
                                           "above_threshold", "evidence", "exemplars"])

    def _top_terms(self, row, k: int, vocabulary, n_words: int, n: int) -> list[str]:
        head = self.heads_[k]
        if head is None or n == 0:
            return []
        words = row[:, :n_words]
        weights = words.multiply(head.coef_[:, :n_words]).toarray().ravel()
        order = np.argsort(-weights, kind="stable")[:n]
        return [vocabulary[j] for j in order if weights[j] > 0]

    def _nearest(self, similarity, i: int, k: int, n: int) -> list[str]:
        if similarity is None:
            return []
        carriers = np.flatnonzero(self.exemplar_Y_[:, k])
        if len(carriers) == 0:
            return []
        order = carriers[np.argsort(-similarity[i, carriers], kind="stable")[:n]]
        return [self.exemplar_ids_[j] for j in order]

    def fingerprint(self) -> str:
        """A short hash of the method version, parameters and training data: what produced
        a suggestion, recorded in the provenance of accepted ones."""
        params = {k: (v if not hasattr(v, "name") else v.name) for k, v in self.get_params().items()
                  if k != "code_texts"}
        digest = hashlib.sha256(json.dumps({"version": METHOD_VERSION, "params": params,
                                            "codes": [str(c) for c in self.codes_],
                                            "code_texts": _jsonable(self.code_texts)},
                                           sort_keys=True, default=str).encode())
        columns = [c for c in INPUT_COLUMNS if c == "text" or getattr(self, f"{c}_weight", 0) > 0]
        for values, row in zip(self.exemplar_inputs_[columns].itertuples(index=False), self.exemplar_Y_,
                               strict=True):
            digest.update(json.dumps([str(v) for v in values]).encode())
            digest.update(row.tobytes())
        return digest.hexdigest()[:12]


def _fit_calibration(decisions: np.ndarray, truth: np.ndarray, *, own_from: int) -> np.ndarray:
    """Platt scaling: per code, (a, b) with P(code) = 1 / (1 + exp(-(a * decision + b))),
    fitted on out-of-fold decision values. Codes with fewer than *own_from* positives share
    the pair fitted on all codes' values pooled, as does a code whose own fit would reverse
    its ranking (a slope not above 0, from noise in few cases). This is scikit-learn's
    sigmoid calibration, fitted on decision values the inner cross-validation already has
    rather than on new fits."""
    def platt(d: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        model = LogisticRegression(C=100.0).fit(d.reshape(-1, 1), y)
        return float(model.coef_[0, 0]), float(model.intercept_[0])

    known = ~np.isnan(decisions)
    pooled = (platt(decisions[known], truth[known]) if len(set(truth[known].tolist())) == 2
              else (1.0, 0.0))
    calibration = np.tile(pooled, (truth.shape[1], 1))
    for k in range(truth.shape[1]):
        rows = known[:, k]
        positives = int(truth[rows, k].sum())
        if positives >= own_from and positives < rows.sum():
            slope, intercept = platt(decisions[rows, k], truth[rows, k])
            if slope > 0:
                calibration[k] = slope, intercept
    return calibration


def _calibrate(decisions: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    """Calibrated scores; 0 where a code has no model (NaN decision)."""
    return np.nan_to_num(expit(decisions * calibration[:, 0] + calibration[:, 1]), nan=0.0)


def _jsonable(mapping) -> dict:
    return {str(k): list(v) for k, v in (mapping or {}).items()}


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = int((truth.astype(bool) & predicted.astype(bool)).sum())
    denominator = int(truth.sum() + predicted.sum())
    return 2 * tp / denominator if denominator else 0.0


def codebook_texts(codebook) -> dict[str, list[str]]:
    """Code id -> its label, definition, inclusion note and examples (for bootstrapping)."""
    return {code.id: [t for t in (code.label, code.definition, code.include, *code.examples) if t]
            for theme in codebook.themes for code in theme.codes}


# -- measuring ------------------------------------------------------------------------------
def suggestion_metrics(Y_true: np.ndarray, scores: np.ndarray, predicted: np.ndarray, *,
                       top_k: int = 3) -> dict[str, float]:
    """Micro and macro precision/recall/F1 and precision/recall at *top_k*.

    Macro averages run over the codes present in *Y_true* (a code nobody applied has no
    recall to measure). P@k and R@k run over the rows with at least one code.
    """
    Y_true = np.asarray(Y_true, dtype=int)
    predicted = np.asarray(predicted, dtype=int)
    present = np.flatnonzero(Y_true.sum(axis=0) > 0)
    summary: dict[str, float] = {}
    for average in ("micro", "macro"):
        labels = present if average == "macro" else np.arange(Y_true.shape[1])
        if len(labels) == 0:
            p = r = f = 0.0
        else:
            p, r, f, _ = precision_recall_fscore_support(Y_true[:, labels], predicted[:, labels],
                                                         average=average, zero_division=0)
        summary |= {f"{average}_precision": p, f"{average}_recall": r, f"{average}_f1": f}
    has_codes = Y_true.sum(axis=1) > 0
    if has_codes.any():
        top = np.argsort(-scores, axis=1, kind="stable")[:, :top_k]
        hits = np.take_along_axis(Y_true, top, axis=1).sum(axis=1)[has_codes]
        summary[f"precision_at_{top_k}"] = hits.mean() / top_k
        summary[f"recall_at_{top_k}"] = (hits / Y_true.sum(axis=1)[has_codes]).mean()
    else:
        summary[f"precision_at_{top_k}"] = summary[f"recall_at_{top_k}"] = 0.0
    return {k: round(float(v), 4) for k, v in summary.items()}


def fold_scores(estimator: CodeSuggester, inputs: pd.DataFrame, Y: pd.DataFrame, train: np.ndarray,
                test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and 0/1 suggestions of the *test* rows by a clone of *estimator* fitted on the
    *train* rows: one fold of a cross-validation (a task for :func:`fitted_folds`)."""
    model = clone(estimator).fit(inputs.iloc[train], Y.iloc[train])
    scores = model.predict_proba(inputs.iloc[test])
    return scores, (scores >= model.thresholds_).astype(int)


def fitted_folds(estimator: CodeSuggester, inputs: pd.DataFrame, Y: pd.DataFrame,
                 folds: Sequence[tuple[np.ndarray, np.ndarray]], *,
                 n_jobs: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`fold_scores` of every ``(train, test)`` pair of *folds*, in order, with *n_jobs*
    worker processes (joblib; 1: in this process). Each fit is seeded by the estimator and
    sees only its own rows, so the results do not depend on *n_jobs*. An estimator with a
    sentence encoder fits in this process whatever *n_jobs* says: its folds share the encoder
    and the vectors it has computed, where workers would each load it and encode again."""
    folds = list(folds)
    if n_jobs == 1 or len(folds) <= 1 or getattr(estimator, "embedding", None) is not None:
        return [fold_scores(estimator, inputs, Y, train, test) for train, test in folds]
    # the largest fits first, so that the workers finish together; results back in fold order
    order = sorted(range(len(folds)), key=lambda i: -len(folds[i][0]))
    done = Parallel(n_jobs=n_jobs)(delayed(fold_scores)(estimator, inputs, Y, *folds[i]) for i in order)
    results: list = [None] * len(folds)
    for i, result in zip(order, done, strict=True):
        results[i] = result
    return results


def _grouped_folds(inputs: pd.DataFrame, Y_true: np.ndarray, groups: list, n_splits: int) -> list:
    """The ``(train, test)`` pairs of grouped cross-validation (no group on both sides)."""
    n_groups = len(set(groups))
    if n_groups < 2:
        raise ParameterError(Errors.E901.format(groups=n_groups))
    return list(GroupKFold(n_splits=min(n_splits, n_groups)).split(inputs, Y_true, groups))


def _assemble_out_of_fold(Y_true: np.ndarray, folds: list, results: list) -> tuple[np.ndarray, np.ndarray]:
    """Each fold's test scores and suggestions put back in the rows they score."""
    predicted = np.zeros_like(Y_true)
    scores = np.zeros(Y_true.shape, dtype=float)
    for (_, test), (fold_scores_, fold_predicted) in zip(folds, results, strict=True):
        scores[test] = fold_scores_
        predicted[test] = fold_predicted
    return scores, predicted


@cache_results(depends_on=("thematic.resample", "thematic.embeddings"), ignore=("n_jobs",))
def out_of_fold(estimator: CodeSuggester, X, Y: pd.DataFrame, groups: Sequence[str], *,
                n_splits: int = 5, n_jobs: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Grouped cross-validated scores and 0/1 suggestions: no group (interview) has segments
    in both the training and the test part of a fold. *X*: texts or segment inputs. The folds'
    fits run in *n_jobs* worker processes (the same results with any number)."""
    inputs = suggestion_inputs(X)
    Y_true = Y.to_numpy(dtype=int)
    folds = _grouped_folds(inputs, Y_true, list(groups), n_splits)
    return _assemble_out_of_fold(Y_true, folds, fitted_folds(estimator, inputs, Y, folds, n_jobs=n_jobs))


def cross_validate(estimator: CodeSuggester, X, Y: pd.DataFrame, groups: Sequence[str], *,
                   n_splits: int = 5, top_k: int = 3) -> tuple[pd.DataFrame, dict[str, float]]:
    """Grouped cross-validation: no interview has segments in both train and test.

    Returns per-code precision, recall, F1 and support, and a summary with micro and macro
    averages and precision/recall at *top_k*.
    """
    scores, predicted = out_of_fold(estimator, X, Y, groups, n_splits=n_splits)
    return per_code_metrics(Y, predicted), suggestion_metrics(Y.to_numpy(dtype=int), scores, predicted,
                                                              top_k=top_k) | {
        "segments": int(len(Y)), "folds": min(n_splits, len(set(groups)))}


def per_code_metrics(Y: pd.DataFrame, predicted: np.ndarray) -> pd.DataFrame:
    """Precision, recall, F1, support and suggested count of every code."""
    truth, predicted = Y.to_numpy(dtype=int), np.asarray(predicted, dtype=int)
    tp = (truth & predicted).sum(axis=0)  # by hand: scikit-learn reads a one-code matrix as binary
    support, suggested = truth.sum(axis=0), predicted.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(tp / suggested)
        recall = np.nan_to_num(tp / support)
        f1 = np.nan_to_num(2 * tp / (support + suggested))
    return pd.DataFrame({"code": list(Y.columns), "precision": precision.round(3),
                         "recall": recall.round(3), "f1": f1.round(3), "support": support,
                         "suggested": suggested})


def kappa_by_code(Y_model: np.ndarray, Y_coder: pd.DataFrame, Y_other: pd.DataFrame | None) -> pd.DataFrame:
    """Cohen's kappa per code: model vs the reference coder, next to the second coder vs the
    reference coder on the same segments (NaN when a code is constant in both ratings)."""
    rows = []
    for k, code in enumerate(Y_coder.columns):
        truth = Y_coder[code].to_numpy(dtype=int)
        row = {"code": code, "kappa_model_vs_coder": _kappa(truth, np.asarray(Y_model)[:, k])}
        if Y_other is not None:
            row["kappa_coder_vs_coder"] = _kappa(truth, Y_other[code].to_numpy(dtype=int))
        rows.append(row)
    return pd.DataFrame(rows)


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    if len(set(a) | set(b)) < 2:
        return float("nan")
    return round(float(cohen_kappa_score(a, b)), 3)


def _agreement_counts(truth: np.ndarray, other: np.ndarray, index: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group and code, the counts (both, other only, truth only, neither): 4 x groups x codes."""
    cells = [(truth == 1) & (other == 1), (truth == 0) & (other == 1), (truth == 1) & (other == 0),
             (truth == 0) & (other == 0)]
    return np.stack([np.stack([np.bincount(index, weights=cell[:, k], minlength=n_groups)
                               for k in range(truth.shape[1])], axis=1) for cell in cells])


def _f1_kappa(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F1 (of *other* against *truth*) and Cohen's kappa from 2x2 counts; NaN where undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(2 * a + b + c > 0, 2 * a / (2 * a + b + c), np.nan)
        denominator = (a + b) * (b + d) + (a + c) * (c + d)
        kappa = np.where(denominator > 0, 2 * (a * d - b * c) / denominator, np.nan)
    return f1, kappa


@cache_results(depends_on=("thematic.resample",))
def reliability_by_code(Y: pd.DataFrame, predicted: np.ndarray, groups: Sequence, *,
                        Y_other: pd.DataFrame | None = None, n_boot: int = 2000, seed: int = 0,
                        level: float = 0.95) -> pd.DataFrame:
    """Per code: F1 and Cohen's kappa of the (cross-validated) suggestions against the
    reference coder *Y*, and kappa of a second coder *Y_other* against *Y* on the same
    segments, each with a percentile interval from a cluster bootstrap by *groups*
    (interviews: segments of one interview are not independent, so whole interviews are
    resampled). ``interviews`` counts the interviews where the reference coder used the code.
    """
    truth = Y.to_numpy(dtype=int)
    predicted = np.asarray(predicted, dtype=int)
    boot = ClusterBootstrap(list(groups), n_boot=n_boot, seed=seed)
    index = boot.unit_cluster
    table = per_code_metrics(Y, predicted)
    table["interviews"] = [len(set(index[truth[:, k] == 1])) for k in range(truth.shape[1])]
    pairs = [("", predicted, "kappa_model_vs_coder")]
    if Y_other is not None:
        pairs.append(("coder_", Y_other.to_numpy(dtype=int), "kappa_coder_vs_coder"))
    for prefix, other, kappa_name in pairs:
        counts = _agreement_counts(truth, other, index, boot.n_clusters)
        f1, kappa = _f1_kappa(*counts.sum(axis=1))
        boot_f1, boot_kappa = _f1_kappa(*(boot.weights @ counts))
        bounds = {name: np.array([boot.interval(values[:, k], confidence=level,
                                                n_clusters=max(int(table["interviews"].iloc[k]), 2))
                                  for k in range(values.shape[1])]).T
                  for name, values in (("f1", boot_f1), ("kappa", boot_kappa))}
        if not prefix:
            table["f1_low"], table["f1_high"] = bounds["f1"].round(3)
        table[kappa_name] = np.round(kappa, 3)
        low_name = "kappa_low" if not prefix else "coder_kappa_low"
        table[low_name], table[low_name.replace("low", "high")] = bounds["kappa"].round(3)
    return table


def macro_f1_difference(Y: pd.DataFrame | np.ndarray, predicted: np.ndarray, baseline: np.ndarray,
                        groups: Sequence, *, n_boot: int = 2000, seed: int = 0,
                        level: float = 0.95) -> dict[str, float]:
    """Macro-F1 of *predicted* minus that of *baseline* on the same segments, with a paired
    cluster-bootstrap interval (both scored on the same resampled interviews). Codes absent
    from a resample's truth are left out of its macro average, as :func:`suggestion_metrics`
    does."""
    truth = np.asarray(Y, dtype=int)
    boot = ClusterBootstrap(list(groups), n_boot=n_boot, seed=seed)
    index, weights = boot.unit_cluster, boot.weights

    def macro(counts: np.ndarray) -> np.ndarray:
        a, b, c, _ = counts
        present = (a + c) > 0
        f1 = np.where(present, 2 * a / np.maximum(2 * a + b + c, 1e-12), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(f1, axis=-1)

    ours = _agreement_counts(truth, np.asarray(predicted, dtype=int), index, boot.n_clusters)
    theirs = _agreement_counts(truth, np.asarray(baseline, dtype=int), index, boot.n_clusters)
    point = macro(ours.sum(axis=1)) - macro(theirs.sum(axis=1))
    draws = macro(np.einsum("bg,xgk->xbk", weights, ours)) - macro(np.einsum("bg,xgk->xbk", weights, theirs))
    low, high = boot.interval(draws, confidence=level)
    return {"difference": round(float(point), 4), "low": round(float(low), 4), "high": round(float(high), 4)}


def flag_unreliable(per_code: pd.DataFrame, *, min_support: int = 5, min_interviews: int = 3,
                    min_f1: float = 0.5, min_kappa: float = 0.4) -> pd.DataFrame:
    """Add ``verdict`` (reliable, unreliable, not enough data), ``reliable`` and ``why`` by a
    declared rule.

    A code has *not enough data* with fewer than *min_support* coded segments or (where
    counted) coded in fewer than *min_interviews* interviews. Otherwise it is *reliable* only
    when F1 and (where measured) model-vs-coder kappa clear *min_f1* and *min_kappa*: their
    interval's lower bound (``f1_low``, ``kappa_low`` from :func:`reliability_by_code`) where
    given, else the point estimate.
    """
    verdicts, reasons = [], []
    for _, row in per_code.iterrows():
        few = []
        if row["support"] < min_support:
            few.append(f"only {int(row['support'])} coded segments (< {min_support})")
        if "interviews" in row and row["interviews"] < min_interviews:
            few.append(f"coded in {int(row['interviews'])} interviews (< {min_interviews})")
        if few:
            verdicts.append("not enough data")
            reasons.append("; ".join(few))
            continue
        why = []
        for measure, bar, low in (("f1", min_f1, "f1_low"), ("kappa_model_vs_coder", min_kappa, "kappa_low")):
            value = row.get(low, np.nan) if low in row else row.get(measure, np.nan)
            label = "F1" if measure == "f1" else "kappa"
            if low in row and pd.isna(value):
                why.append(f"{label} interval undefined")
            elif pd.notna(value) and value < bar:
                why.append(f"{label} {'lower bound ' if low in row else ''}{value:.2f} < {bar}")
        verdicts.append("unreliable" if why else "reliable")
        reasons.append("; ".join(why))
    return per_code.assign(verdict=verdicts, reliable=[v == "reliable" for v in verdicts], why=reasons)


@cache_results(depends_on=("thematic.resample", "thematic.embeddings"), ignore=("n_jobs",))
def learning_curve(estimator: CodeSuggester, X, Y: pd.DataFrame, groups: Sequence[str], *,
                   sizes: Sequence[int] = (100, 300, 1000), n_splits: int = 5, seed: int = 0,
                   n_jobs: int = 1) -> pd.DataFrame:
    """Grouped CV scores when the model learns from only *n* coded segments per fold.

    Sizes above what a fold's training part holds are capped there; ``trained_on`` says how
    many segments the model actually learned from (mean over folds) and ``capped`` says so.
    Every size's draws come from *seed*; all fits run in *n_jobs* worker processes (the same
    results with any number).
    """
    inputs = suggestion_inputs(X)
    Y_true = Y.to_numpy(dtype=int)
    folds = _grouped_folds(inputs, Y_true, list(groups), n_splits)
    runs = _curve_runs(folds, sizes, seed)
    tasks = [fold for run in runs.values() for fold in run]
    return _assemble_curve(Y_true, folds, runs, sizes, fitted_folds(estimator, inputs, Y, tasks, n_jobs=n_jobs))


def _curve_runs(folds: list, sizes: Sequence[int], seed: int) -> dict[int, list]:
    """Per training size (capped to the largest training part), the folds with *size* training
    rows drawn from each (every size's draws from *seed*)."""
    largest = max(len(train) for train, _ in folds)
    runs: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for size in sizes:
        effective = min(size, largest)
        if effective not in runs:  # sizes capped to the same number are one run, not several
            rng = np.random.default_rng(seed)
            runs[effective] = [(np.sort(rng.permutation(train)[:size]), test) for train, test in folds]
    return runs


def _assemble_curve(Y_true: np.ndarray, folds: list, runs: dict[int, list], sizes: Sequence[int],
                    results: list) -> pd.DataFrame:
    """The learning curve's table from the fits of *runs*, in their order."""
    largest = max(len(train) for train, _ in folds)
    results = iter(results)
    done = {}
    for effective, run in runs.items():
        scores = np.zeros(Y_true.shape)
        predicted = np.zeros_like(Y_true)
        for _, test in run:
            scores[test], predicted[test] = next(results)
        done[effective] = {"trained_on": round(float(np.mean([len(chosen) for chosen, _ in run])), 1)} | \
            suggestion_metrics(Y_true, scores, predicted)
    return pd.DataFrame([{"requested": size, "capped": bool(done[min(size, largest)]["trained_on"] < size)}
                         | done[min(size, largest)] for size in sizes])


def evaluate(estimator: CodeSuggester, X, Y: pd.DataFrame, groups: Sequence[str], *, n_splits: int = 5,
             sizes: Sequence[int] = (100, 300, 1000), seed: int = 0,
             n_jobs: int = 1) -> tuple[tuple[np.ndarray, np.ndarray], pd.DataFrame]:
    """:func:`out_of_fold` and :func:`learning_curve` of the same data, their fits in one pool.

    The same results as the two calls, each read from and stored in its own cache; what is
    missing is fitted in one batch of *n_jobs* workers, largest fits first, so that no worker
    waits for the other at the end of the cross-validation (5 folds on 2 workers leave one idle
    for the last fold) before the learning curve's fits begin.
    """
    keys = dict(n_splits=n_splits, n_jobs=n_jobs)
    found_cv, cv = out_of_fold.peek(estimator, X, Y, groups, **keys)
    found_curve, curve = learning_curve.peek(estimator, X, Y, groups, sizes=sizes, seed=seed, **keys)
    if found_cv and found_curve:
        return cv, curve
    inputs = suggestion_inputs(X)
    Y_true = Y.to_numpy(dtype=int)
    folds = _grouped_folds(inputs, Y_true, list(groups), n_splits)
    runs = _curve_runs(folds, sizes, seed) if not found_curve else {}
    cv_tasks = folds if not found_cv else []
    results = fitted_folds(estimator, inputs, Y, [*cv_tasks, *(fold for run in runs.values() for fold in run)],
                           n_jobs=n_jobs)
    if not found_cv:
        cv = _assemble_out_of_fold(Y_true, folds, results[:len(cv_tasks)])
        out_of_fold.put(cv, estimator, X, Y, groups, **keys)
    if not found_curve:
        curve = _assemble_curve(Y_true, folds, runs, sizes, results[len(cv_tasks):])
        learning_curve.put(curve, estimator, X, Y, groups, sizes=sizes, seed=seed, **keys)
    return cv, curve

PARAMETERS = (
    Parameter("cv_folds", Annotated[int, Field(ge=2, le=100)],
              "the number of grouped cross-validation folds, 2 to 100"),
    Parameter("learning_sizes", Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=50)],
              "the numbers of coded segments the learning curve trains on, a list of 1 to 50 whole "
              "numbers of 1 or more"),
)
