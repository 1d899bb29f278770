from thematic.parallel import map_documents


def _length(text: str) -> int:
    return len(text)


def test_map_documents_keeps_order_in_process_and_with_workers():
    texts = ["a", "bb", "ccc", "dddd"]
    assert map_documents(_length, texts) == [1, 2, 3, 4]
    assert map_documents(_length, texts, n_jobs=2) == [1, 2, 3, 4]


def _turns_and_process(text: str) -> tuple[int, int]:
    import os

    from thematic.transcripts import parse_turns

    return len(parse_turns(text)), os.getpid()


def test_the_same_call_runs_on_a_local_dask_cluster(sample_dataset):
    """What README promises: wrap the call in joblib's dask backend to run it on a cluster."""
    import joblib
    from dask.distributed import Client, LocalCluster

    import os

    texts = list(sample_dataset.texts.values())
    expected = [turns for turns, _ in map_documents(_turns_and_process, texts)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster), joblib.parallel_backend("dask"):
        on_cluster = map_documents(_turns_and_process, texts, n_jobs=-1)
    assert [turns for turns, _ in on_cluster] == expected and sum(expected) > 100
    worker_processes = {pid for _, pid in on_cluster}
    assert worker_processes and os.getpid() not in worker_processes
