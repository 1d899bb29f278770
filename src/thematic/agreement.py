"""Inter-coder agreement per code on coding units (segments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from thematic.codebook import Codebook
from thematic.segments import segment_code_matrix


def scope_segments(segments: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Participant segments a code of *scope* may apply to (parents' or professionals')."""
    spoken = segments[~segments["is_interviewer"]]
    is_parent = spoken["group"] == "parent"
    return spoken[is_parent] if scope == "parents" else spoken[~is_parent]


def pairwise_agreement(segments: pd.DataFrame, coded: pd.DataFrame, codebook: Codebook, *,
                       coders: tuple[str, str]) -> pd.DataFrame:
    """Per code: Cohen's kappa and percent agreement of two coders over segments.

    Units are the participant segments in the code's scope; each unit is coded 1 (code
    applied) or 0 by each coder. Also reports the number of units and the code's prevalence
    (share of units either coder coded). Kappa is undefined (NaN) when neither coder varies.
    """
    first, second = coders
    rows = []
    for scope, codes in codebook.codes.groupby("scope")["code"]:
        units = scope_segments(segments, scope)
        a = segment_code_matrix(units, coded, coder=first, codes=list(codes))
        b = segment_code_matrix(units, coded, coder=second, codes=list(codes))
        for code in codes:
            x, y = a[code].to_numpy(), b[code].to_numpy()
            varied = len(set(x) | set(y)) > 1
            rows.append({
                "code": code, "units": len(x), "coded_by_" + first: int(x.sum()),
                "coded_by_" + second: int(y.sum()), "both": int((x & y).sum()),
                "prevalence": round(float((x | y).mean()), 4) if len(x) else np.nan,
                "percent_agreement": round(float((x == y).mean()), 4) if len(x) else np.nan,
                "cohen_kappa": round(float(cohen_kappa_score(x, y)), 4) if varied else np.nan,
            })
    order = {code: i for i, code in enumerate(codebook.code_ids)}
    return pd.DataFrame(rows).sort_values("code", key=lambda s: s.map(order)).reset_index(drop=True)
