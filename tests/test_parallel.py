from thematic.parallel import map_documents


def _length(text: str) -> int:
    return len(text)


def test_map_documents_keeps_order_in_process_and_with_workers():
    texts = ["a", "bb", "ccc", "dddd"]
    assert map_documents(_length, texts) == [1, 2, 3, 4]
    assert map_documents(_length, texts, n_jobs=2) == [1, 2, 3, 4]
