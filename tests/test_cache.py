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
