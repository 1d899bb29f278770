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
