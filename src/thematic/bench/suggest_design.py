"""How the suggester's design was chosen, measured where choosing is honest.

``thematic bench suggest-blocks``
    The interview's structure on the sample study (``data-sample/``, synthetic): grouped
    5-fold cross-validation by interview against ``coder_a``, each feature block added to the
    text-only model (round 1's: codebook texts only for codes with under 5 examples) on its
    own, then all together, then the codebook texts for more codes and today's defaults; the
    macro-F1 difference to text only with a paired interview-cluster bootstrap 95% interval.
``thematic bench suggest-validation``
    The same blocks where the NHS set has them (the survey question, the service type, which
    answer of the respondent), and the active-learning simulation, on the validation part of
    the protocol in :mod:`thematic.bench.suggest` (learn on the development part, score the
    validation part; the test part is never read).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from thematic.bench import BenchResult, register
from thematic.bench import suggest as nhs
from thematic.suggest import CodeSuggester, macro_f1_difference, out_of_fold, suggestion_metrics

#: The blocks compared, by name: the CodeSuggester parameters that switch each on (weight 0.5,
#: a block half as loud as the text's own; 1.0 was worse for the question on both data sets).
BLOCKS = {"question": {"question_weight": 0.5}, "group": {"group_weight": 0.5},
          "position": {"position_weight": 0.5}}
#: The reference: text only, codebook texts for codes with under 5 examples (round 1's model).
REFERENCE = {"question_weight": 0.0, "group_weight": 0.0, "position_weight": 0.0, "bootstrap_below": 5}


def block_configs(*, sample: bool = False) -> dict[str, dict]:
    """The reference, each block added alone, all blocks, the codebook texts for more codes
    (every code; codes under 50 examples), and today's defaults (``{}``). With *sample*, also
    the reference without any codebook text."""
    configs = {"text only": dict(REFERENCE)} | {f"+{name}": REFERENCE | params for name, params in BLOCKS.items()}
    configs["+all blocks"] = REFERENCE | {k: v for params in BLOCKS.values() for k, v in params.items()}
    configs["+codebook for every code"] = REFERENCE | {"bootstrap_below": 10**6}
    if sample:
        configs["no codebook"] = REFERENCE | {"bootstrap_below": 0}
    else:  # in the sample every code has under 50 examples: the same as every code
        configs["+codebook below 50"] = REFERENCE | {"bootstrap_below": 50}
    configs["defaults (+group, codebook below 50)"] = {}
    return configs


def compare_blocks(units: pd.DataFrame, Y: pd.DataFrame, *, code_texts: dict, seed: int = 0,
                   configs: dict[str, dict] | None = None, embedding=None, n_splits: int = 5,
                   log: Callable[[str], None] = print) -> pd.DataFrame:
    """Grouped CV (by ``interview_id``) of each configuration; macro-F1 difference to the first
    with a paired interview-cluster bootstrap interval."""
    configs = configs or block_configs(sample=True)
    groups = units["interview_id"].tolist()
    rows, reference = [], None
    for name, params in configs.items():
        model = CodeSuggester(code_texts=code_texts, embedding=embedding, random_state=seed, **params)
        scores, predicted = out_of_fold(model, units, Y, groups, n_splits=n_splits)
        figures = suggestion_metrics(Y.to_numpy(), scores, predicted)
        if reference is None:
            reference = predicted
        difference = macro_f1_difference(Y.to_numpy(), predicted, reference, groups, seed=seed)
        rows.append({"config": name, "macro_f1": figures["macro_f1"], "micro_f1": figures["micro_f1"],
                     "recall_at_3": figures["recall_at_3"], "difference": difference["difference"],
                     "low": difference["low"], "high": difference["high"]})
        log(f"  {name}: {rows[-1]}")
    return pd.DataFrame(rows)


def run_blocks(*, quick: bool = False, embedding: bool = True, log: Callable[[str], None] = print) -> BenchResult:
    """Block contributions on the sample study (see the module docstring)."""
    from thematic import load_dataset
    from thematic.io import project_root
    from thematic.segments import answer_context, code_segments, segment_code_matrix, segment_turns
    from thematic.suggest import codebook_texts

    result = BenchResult("suggest-blocks")
    dataset = load_dataset(project_root() / "data-sample", require_deidentified=False)
    units = answer_context(segment_turns(dataset))
    Y = segment_code_matrix(units, code_segments(units, dataset.codings), coder="coder_a",
                            codes=dataset.codebook.code_ids)
    configs = block_configs(sample=True)
    if quick:
        configs = {k: configs[k] for k in ("text only", "+question")}
    result.notes.append(f"data-sample (synthetic): {len(units)} participant segments in "
                        f"{units['interview_id'].nunique()} interviews, {Y.shape[1]} codes, reference coder_a; "
                        "grouped 5-fold CV by interview; difference = macro-F1 minus text only's, "
                        "95% interval from 2,000 paired interview-cluster resamples")
    runs = [("tfidf", None)]
    if embedding and not quick:
        from thematic import embeddings

        if embeddings.available("minilm"):
            runs.append(("embed", embeddings.load_encoder("minilm")))
    for label, encoder in runs:
        table = compare_blocks(units, Y, code_texts=codebook_texts(dataset.codebook), configs=configs,
                               embedding=encoder, log=log)
        for row in table.to_dict("records"):
            result.add(f"{label} {row['config']} macro_f1", row["macro_f1"])
            if row["config"] != "text only":
                result.add(f"{label} {row['config']} difference (95% {row['low']:+.3f} to {row['high']:+.3f})",
                           row["difference"])
        result.notes.append(f"{label}:\n" + table.to_string(index=False))
    return result


def run_validation(*, quick: bool = False, path=None, log: Callable[[str], None] = print) -> BenchResult:
    """Blocks and active learning on the NHS validation part (see the module docstring)."""
    result = BenchResult("suggest-validation")
    path = path or nhs.shared_dir() / nhs.NHS_FILE
    if not path.exists():
        result.notes.append(f"skipped: {path} not found (set THEMATIC_SHARED)")
        return result
    inputs, Y = nhs.load_nhs(path)
    validation, _ = nhs.stages(inputs, Y, quick=quick)
    code_texts = {c: [c] for c in Y.columns}
    configs = block_configs()
    if quick:
        configs = {k: configs[k] for k in ("text only", "+question")}
    models = {name: (lambda params=params: CodeSuggester(code_texts=code_texts, **params), {})
              for name, params in configs.items()}
    table = nhs.run_models(validation, models, log=log)
    summary = nhs.medians(table)
    for size_name in validation.sizes:
        reference = summary.loc[(size_name, "text only"), "macro_f1"]
        for name in configs:
            value = summary.loc[(size_name, name), "macro_f1"]
            result.add(f"{size_name} {name} macro_f1", value)
            if name != "text only":
                result.add(f"{size_name} {name} minus text only", value - reference)
    result.notes.append("validation part, medians over subsets:\n"
                        + summary[["macro_f1", "micro_f1", "recall_at_3", "fit_seconds"]].to_string())
    # Active learning: the method as shipped, on the development part, scored on validation.
    nhs.report_active(result, nhs.active_learning(inputs, Y, validation, quick=quick, log=log), quick=True)
    return result


@register("suggest-blocks")
def bench_blocks(*, quick: bool = False) -> BenchResult:
    """Sample study: what each context block (question, group, position, codebook) adds, grouped CV."""
    return run_blocks(quick=quick)


@register("suggest-validation")
def bench_validation(*, quick: bool = False) -> BenchResult:
    """NHS validation part: context blocks and active learning, the choices behind the defaults."""
    return run_validation(quick=quick)
