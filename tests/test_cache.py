import pandas as pd

import thematic.cache as cache_module
from thematic.cache import cached, code_fingerprint

CALLS = []


def _square(x: int) -> int:
    CALLS.append(x)
    return x * x


def test_a_second_call_with_equal_arguments_is_served_from_the_cache(tmp_path):
    CALLS.clear()
    square = cached(_square, location=tmp_path)
    assert square(3) == 9 and square(3) == 9 and square(4) == 16
    assert CALLS == [3, 4]
    again = cached(_square, location=tmp_path)  # a new process would see the same folder
    assert again(3) == 9 and CALLS == [3, 4]


def test_the_cache_folder_changes_with_the_code_it_depends_on():
    import thematic.parallel as parallel_module

    assert code_fingerprint(cache_module) == code_fingerprint(cache_module)
    assert code_fingerprint(cache_module) != code_fingerprint(cache_module, parallel_module)


def test_the_fingerprint_reads_library_versions_without_importing_scikit_learn():
    """A warm phase that fits nothing (00, 03, 04) never imports scikit-learn; its version is
    read as installed, the same string ``sklearn.__version__`` gives."""
    import hashlib
    import subprocess
    import sys
    from importlib import metadata

    import numpy
    import sklearn

    code = ("import sys\nimport thematic.cache as c\nprint(c.code_fingerprint(c), 'sklearn' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [code_fingerprint(cache_module), "False"]
    assert metadata.version("scikit-learn") == sklearn.__version__
    import inspect

    expected = hashlib.sha256(f"{cache_module.__version__} pickle-5 {numpy.__version__} {pd.__version__} "
                              f"{sklearn.__version__}".encode())
    expected.update(inspect.getsource(cache_module).encode())
    assert code_fingerprint(cache_module) == expected.hexdigest()[:16]


def _describe(texts: list[str], *, label: str = "x") -> int:
    CALLS.append(label)
    return sum(len(t) for t in texts)


def test_the_cache_stores_results_never_arguments(tmp_path):
    """joblib's Memory wrote a repr of every argument beside each result: interview texts."""
    CALLS.clear()
    describe = cached(_describe, location=tmp_path)
    secret = "Participant: Wrexham rang me on 07700 900 832."
    assert describe([secret]) == len(secret) and describe([secret], label="x") == len(secret)
    assert CALLS == ["x"]  # keyword given or defaulted: one call
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert [p.suffix for p in files] == [".pkl"]
    for path in tmp_path.rglob("*"):
        assert "Wrexham" not in path.name
        if path.is_file():
            assert b"Wrexham" not in path.read_bytes() and b"07700" not in path.read_bytes()
    files[0].write_bytes(b"not a pickle")
    assert describe([secret]) == len(secret) and CALLS == ["x", "x"]  # unreadable: computed again


def test_the_key_is_the_same_in_every_process():
    """Python orders a set of strings differently in each process; joblib's own hash of a
    frozenset changed with it, so a result stored by one report was never found by the next."""
    import os
    import subprocess
    import sys

    code = ("from thematic.cache import stable_hash; "
            "print(stable_hash({'names': frozenset(['ann', 'bo', 'cy', 'dee', 'eve'])}))")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(keys) == 1 and len(keys.pop().strip()) == 32


# --- a warm re-render: what each change recomputes ------------------------------------------

def _analysis(data_dir, *, n_boot: int = 100) -> dict:
    """The cached steps of the report's phases 02-04, as the notebooks call them, on *data_dir*."""
    import thematic
    from thematic import candidates, quotes, suggest, triangulate
    from thematic import suggestion_review as review
    from thematic.agreement import agreement_table, unit_sensitivity
    from thematic.segments import answer_context, code_segments, segment_code_matrix, segment_turns

    dataset = thematic.load_dataset(data_dir)
    segments = segment_turns(dataset)
    units = answer_context(segments)
    coded = code_segments(units, dataset.codings)
    codes = dataset.codebook.code_ids
    first, second = dataset.coders
    Y = segment_code_matrix(units, coded, coder=first, codes=codes)
    Y2 = segment_code_matrix(units, coded, coder=second, codes=codes)
    groups = units["interview_id"].tolist()
    model = suggest.CodeSuggester(code_texts=suggest.codebook_texts(dataset.codebook), random_state=1)
    out = {}
    uncoded = units[~units["segment_id"].isin(coded["segment_id"])].reset_index(drop=True)
    out["candidates"] = candidates.candidate_codes(uncoded, n_topics=3, seeds=[1, 2])[0]
    scores, predicted = suggest.out_of_fold(model, units, Y, groups, n_splits=3)
    out["scores"] = pd.DataFrame(scores)
    out["reliability"] = suggest.reliability_by_code(Y, predicted, groups, Y_other=Y2, n_boot=n_boot, seed=1)
    out["suggestions"] = review.build_suggestions(dataset, learn_from=first, reviewer=first, seed=1)[0]
    out["agreement"] = agreement_table(segments, dataset.codings, dataset.codebook, n_boot=n_boot, seed=1)
    out["by_unit"] = unit_sensitivity(segments, dataset.codings, dataset.codebook, units=("turn", "character"),
                                      n_boot=n_boot, seed=1)
    located = _located(dataset, segments)
    out["quotes"] = quotes.select_quotes(located, dataset.texts, check=quotes.identifier_check(["Nobody"]),
                                         group_order=dataset.groups)[0]
    return out


def _coding_inputs(data_dir) -> dict:
    """What the coding-dependent steps read: the second coder's segment codes, the segments no
    coder coded, and the characters the coders' union covers (located)."""
    import thematic
    from thematic.segments import answer_context, code_segments, segment_code_matrix, segment_turns

    dataset = thematic.load_dataset(data_dir)
    units = answer_context(segment_turns(dataset))
    coded = code_segments(units, dataset.codings)
    return {"second": segment_code_matrix(units, coded, coder=dataset.coders[1], codes=dataset.codebook.code_ids),
            "uncoded": units.loc[~units["segment_id"].isin(coded["segment_id"]), "segment_id"].reset_index(drop=True),
            "located": _located(dataset, segment_turns(dataset))}


def _located(dataset, segments) -> pd.DataFrame:
    from thematic import triangulate
    from thematic.segments import code_segments, combine_coders

    final = combine_coders(code_segments(segments, dataset.codings), rule="union")
    spans = triangulate.coded_spans(dataset.codings, final, segments, rule="union")
    return triangulate.locate_spans(spans, segments, dataset.codebook, scopes=dataset.scopes)


def _equal(one: dict, other: dict) -> None:
    assert one.keys() == other.keys()
    for name in one:
        pd.testing.assert_frame_equal(one[name], other[name], obj=name)


def test_a_warm_run_recomputes_exactly_what_a_change_touches(tmp_path, monkeypatch):
    """Change one transcript, one coding, one parameter: only the steps reading it are computed
    again, and every result equals that of a run on empty caches."""
    from thematic.bench.synthetic import generate_study
    from thematic.cache import computed, recording

    data = tmp_path / "study"
    generate_study(data, n_interviews=4, seed=3)
    monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "warm"))

    def run(**options) -> tuple[dict, dict]:
        with recording() as events:
            result = _analysis(data, **options)
        return result, computed(events)

    def cold(**options) -> dict:
        monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"))
        try:
            return _analysis(data, **options)
        finally:
            monkeypatch.setenv("THEMATIC_CACHE_DIR", str(tmp_path / "warm"))

    first, done = run()
    every = {"thematic.agreement.agreement_table", "thematic.candidates.candidate_codes",
             "thematic.quotes._select_quotes", "thematic.suggest.out_of_fold",
             "thematic.suggest.reliability_by_code", "thematic.suggestion_review._fitted_suggestions",
             "thematic.suggestion_review.fitted_suggester"}
    assert set(done) == every and done["thematic.agreement.agreement_table"] == 2  # turn (shared), character
    warm, done = run()
    assert done == {}
    _equal(warm, first)

    # one parameter: the bootstrap's resamples feed the intervals only
    changed, done = run(n_boot=120)
    assert set(done) == {"thematic.agreement.agreement_table", "thematic.suggest.reliability_by_code"}
    _equal(changed, cold(n_boot=120))

    # one coding of the second coder: the agreement reads the coders' spans and is computed
    # again; what reads the second coder's segment codes, the uncoded segments or the union of
    # the coders covers is computed again exactly when dropping the coding changed them; the model
    # learns from the first coder and is never refitted
    codings = data / "codings"
    second = sorted(codings.glob("*.csv"))[1]
    before = _coding_inputs(data)
    frame = pd.read_csv(second)
    frame.drop(index=frame.index[len(frame) // 2]).to_csv(second, index=False)
    after = _coding_inputs(data)
    expected = {"thematic.agreement.agreement_table": 2}
    for name, function in (("second", "thematic.suggest.reliability_by_code"),
                           ("uncoded", "thematic.candidates.candidate_codes"), ("located", "thematic.quotes._select_quotes")):
        if not before[name].equals(after[name]):
            expected[function] = 1
    changed, done = run()
    assert done == dict(sorted(expected.items()))
    _equal(changed, cold())

    # one transcript: a turn added to one interview changes the segments every step reads
    transcript = sorted((data / "deidentified").glob("*.txt"))[0]
    transcript.write_text(transcript.read_text(encoding="utf-8")
                          + "Participant: And the waiting list was long, so we phoned around.\n\n",
                          encoding="utf-8")
    changed, done = run()
    assert set(done) == every
    _equal(changed, cold())
    warm, done = run()
    assert done == {}
