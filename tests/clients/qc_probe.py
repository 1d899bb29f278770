"""Run inside a qualitative-coding (``qc``) environment: import or export with qc's own code.

``python qc_probe.py import FILE.qdpx FOLDER OUT.json`` loads the project with qc's REFI-QDA
reader into an empty FOLDER and writes to OUT.json what qc then holds: documents (name and text), codes, the
code tree, coders and coded lines per coder. ``python qc_probe.py export FOLDER FILE.qdpx``
writes qc's own REFI-QDA export of FOLDER. Used by tests/test_refi_clients.py; written for
thematic's tests, not part of qc.
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path


def _tree(node):
    return {child.name: _tree(child) for child in node.children}


def probe(folder: Path) -> dict:
    from qualitative_coding.corpus import QCCorpus

    corpus = QCCorpus(folder / "settings.yaml")
    with corpus.session():
        documents = sorted(doc.file_path for doc in corpus.get_documents())
        coded = corpus.get_coded_lines()
        coders = sorted(coder.name for coder in corpus.get_all_coders())
        codes = sorted(corpus.get_codes())
        tree = _tree(corpus.get_codebook())
    return {
        "documents": {name: (corpus.corpus_dir / name).read_text(encoding="utf-8") for name in documents},
        "coders": coders,
        "codes_used": codes,
        "code_tree": tree,
        "coded_lines": sorted([list(row) for row in coded]),
        "coded_lines_per_coder": dict(sorted(Counter(row[1] for row in coded).items())),
        "lines_coded_per_document": dict(sorted(Counter(row[3] for row in coded).items())),
    }


def main(argv: list[str]) -> None:
    os.environ["PYTHONBREAKPOINT"] = "0"  # qc 1.7.8 leaves a breakpoint() in its reader
    sys.breakpointhook = lambda *args, **kwargs: None
    command, first, second, *out = argv
    if command == "import":
        from qualitative_coding.refi_qda.reader import REFIQDAReader

        source, folder, out = Path(first).resolve(), Path(second).resolve(), Path(out[0]).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        os.chdir(folder)
        REFIQDAReader(str(source)).unpack_project(folder)
        out.write_text(json.dumps(probe(folder)), encoding="utf-8")
    elif command == "export":
        from qualitative_coding.corpus import QCCorpus
        from qualitative_coding.refi_qda.writer import REFIQDAWriter

        folder, target = Path(first).resolve(), Path(second).resolve()
        os.chdir(folder)
        corpus = QCCorpus(folder / "settings.yaml")
        with corpus.session():
            corpus.update_codebook()
        REFIQDAWriter(str(folder / "settings.yaml")).write(str(target))
    elif command == "build":
        from qualitative_coding.corpus import QCCorpus

        spec = json.loads(Path(first).read_text(encoding="utf-8"))
        folder = Path(second).resolve()
        (folder / "incoming").mkdir(parents=True)
        os.chdir(folder)
        QCCorpus.initialize()
        corpus = QCCorpus(folder / "settings.yaml")
        with corpus.session():
            for name, text in spec["documents"].items():
                (folder / "incoming" / name).write_bytes(text.encode("utf-8"))
                corpus.import_media(folder / "incoming" / name, importer="verbatim")
            by_document = {}
            for document, line, code, coder in spec["coded"]:
                by_document.setdefault((document, coder), []).append({"line": line, "code_id": code})
            for (document, coder), lines in by_document.items():
                corpus.update_coded_lines(document, coder, lines)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
