"""Inductive candidate codes: topics in the segments nobody has coded yet.

A non-negative matrix factorisation (scikit-learn's NMF) of the TF-IDF of lemmas and noun
phrases proposes candidate codes. Each candidate comes with its top terms, its five most
typical segments, the stakeholder groups whose segments it covers, how stable it is when the
factorisation is re-run with other seeds, and whether it duplicates a code already in the
codebook. Candidates are prompts for the researcher, not codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from thematic.cache import SPACY_LIBRARIES, cache_results
from thematic.parallel import map_documents
from thematic.parameters import Parameter
from thematic.parse import parse_texts

#: Components the lemma features need; everything else in the pipeline is disabled.
NOUN_PHRASE_POS = {"ADJ", "NOUN", "PROPN"}


def lemma_features(texts: Sequence[str], *, model: str = "en_core_web_sm", batch_size: int = 64) -> list[list[str]]:
    """Per text, its content lemmas and its noun phrases (lemmatised, ``"team meeting"``).

    Noun phrases are runs of adjectives and nouns ending in a noun, found from part-of-speech
    tags (no parser needed). Parses go through the parse cache (:mod:`thematic.parse`), so a
    re-run parses nothing.
    """
    cleaned = [re.sub(r"\[[^\]]*\]", " ", str(t)) for t in texts]
    docs = parse_texts(cleaned, nlp=model, needs=("lemmas",), batch_size=batch_size, progress=False)
    return [_doc_features(doc) for doc in docs]


def _doc_features(doc) -> list[str]:
    features, run = [], []
    for token in [*doc, None]:
        if token is not None and token.pos_ in NOUN_PHRASE_POS and token.is_alpha and not token.is_stop:
            run.append(token)
        else:
            while run and run[-1].pos_ == "ADJ":
                run.pop()
            if len(run) >= 2:
                features.append(" ".join(t.lemma_.lower() for t in run))
            run = []
        if token is not None and token.is_alpha and not token.is_stop and len(token) > 2:
            features.append(token.lemma_.lower())
    return features


def _vectorizer(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=lambda features: features, sublinear_tf=True, min_df=min_df, max_df=0.5)


def topic_stability(reference: np.ndarray, others: Sequence[np.ndarray]) -> np.ndarray:
    """Per reference topic, the mean over other runs of its best-matching topic's cosine
    similarity (topic-term vectors); 1 means every seed finds the same topic."""
    if not others:
        return np.full(len(reference), np.nan)
    ref = normalize(reference)
    best = [(ref @ normalize(other).T).max(axis=1) for other in others]
    return np.mean(best, axis=0)


@cache_results(depends_on=("thematic.parse", "thematic.nlp"), libraries=SPACY_LIBRARIES)
def candidate_codes(segments: pd.DataFrame, *, features: Sequence[Sequence[str]] | None = None,
                    n_topics: int = 8, seeds: Sequence[int] = (0, 1, 2, 3, 4), top_terms: int = 10,
                    exemplars: int = 5, min_df: int = 2, code_texts: Mapping[str, Sequence[str]] | None = None,
                    code_features: Mapping[str, Sequence[Sequence[str]]] | None = None,
                    duplicate_at: float = 0.35, model: str = "en_core_web_sm",
                    n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate codes from *segments* (columns segment_id, group, text), usually the uncoded ones.

    Parameters
    ----------
    features
        Lemma/noun-phrase features per segment (from :func:`lemma_features`); computed when None.
    n_topics, seeds
        Number of candidates; the first seed gives the candidates, all seeds their stability
        (each run starts from a random initialisation with its seed; a deterministic SVD
        start would make every run the same and the stability meaningless).
    code_texts
        Code -> codebook texts (label, definition, examples...) to spot duplicates of existing
        codes; or pass *code_features* already lemmatised.
    duplicate_at
        A candidate whose term vector has cosine similarity at least this with a code's
        codebook text is marked as duplicating that code.

    Returns
    -------
    candidates, exemplars
        One row per candidate (top terms, segments, groups, stability, closest code and
        similarity, duplicate), and its exemplar segments (candidate, rank, segment_id, weight).
    """
    segments = segments.reset_index(drop=True)
    if features is None:
        features = lemma_features(segments["text"].tolist(), model=model)
    vectorizer = _vectorizer(min_df)
    X = vectorizer.fit_transform([list(f) for f in features])
    n_topics = max(1, min(n_topics, X.shape[0] - 1, X.shape[1] - 1))
    vocabulary = vectorizer.get_feature_names_out()
    fits = map_documents(lambda seed: _nmf(X, n_topics, seed), list(seeds), n_jobs=n_jobs)
    W, H = fits[0]
    stability = topic_stability(H, [h for _, h in fits[1:]])
    closest, similarity = _closest_codes(H, vectorizer, code_texts, code_features, model=model)
    dominant = W.argmax(axis=1)
    assigned = W.max(axis=1) > 0
    rows, exemplar_rows = [], []
    for t in range(n_topics):
        name = f"C{t + 1:02d}"
        terms = [vocabulary[j] for j in np.argsort(-H[t], kind="stable")[:top_terms] if H[t, j] > 0]
        mine = segments[(dominant == t) & assigned]
        groups = mine["group"].value_counts().sort_index() if "group" in mine else pd.Series(dtype=int)
        order = np.argsort(-W[:, t], kind="stable")[:exemplars]
        for rank, i in enumerate(order, start=1):
            if W[i, t] > 0:
                exemplar_rows.append({"candidate": name, "rank": rank, "segment_id": segments.at[i, "segment_id"],
                                      "weight": round(float(W[i, t]), 4), "text": segments.at[i, "text"]})
        rows.append({"candidate": name, "top_terms": ", ".join(terms), "segments": len(mine),
                     "groups": ", ".join(f"{g} ({n})" for g, n in groups.items()),
                     "stability": round(float(stability[t]), 3) if not np.isnan(stability[t]) else np.nan,
                     "closest_code": closest[t], "similarity": similarity[t],
                     "duplicates_code": bool(closest[t]) and similarity[t] >= duplicate_at})
    return pd.DataFrame(rows), pd.DataFrame(exemplar_rows, columns=["candidate", "rank", "segment_id",
                                                                    "weight", "text"])


def _nmf(X, n_topics: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    model = NMF(n_components=n_topics, init="random", random_state=seed, max_iter=1000)
    W = model.fit_transform(X)
    return W, model.components_


def _closest_codes(H: np.ndarray, vectorizer: TfidfVectorizer, code_texts, code_features, *,
                   model: str) -> tuple[list[str], list[float]]:
    if not code_texts and not code_features:
        return [""] * len(H), [np.nan] * len(H)
    if code_features is None:
        codes = list(code_texts)
        features = lemma_features([" ".join(code_texts[c]) for c in codes], model=model)
    else:
        codes = list(code_features)
        features = [[f for text in code_features[c] for f in text] for c in codes]
    code_matrix = normalize(vectorizer.transform(features))
    similarity = (normalize(H) @ code_matrix.T.toarray())
    best = similarity.argmax(axis=1)
    return ([codes[j] for j in best],
            [round(float(similarity[t, j]), 3) for t, j in enumerate(best)])


PARAMETERS = (
    Parameter("candidate_topics", Annotated[int, Field(ge=1, le=200)],
              "the number of inductive candidate codes proposed, 1 to 200"),
)
