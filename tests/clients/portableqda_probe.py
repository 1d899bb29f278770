"""Run inside a portableQDA environment: read a ``.qdc`` codebook with portableQDA's own reader.

``python portableqda_probe.py FILE.qdc OUT.json`` writes to OUT.json the codes and sets
portableQDA holds after ``codebookCls.readQdcFile`` and the warnings it logged. Used by
tests/test_refi_clients.py; written for thematic's tests, not part of portableQDA.
"""

import json
import logging
import sys
from pathlib import Path


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def main(source: str, out: str) -> None:
    import portableqda

    collect = Collect()
    logging.getLogger().addHandler(collect)
    codebook = portableqda.codebookCls(output=None)
    codebook.readQdcFile(input=str(Path(source).resolve()))
    result = {
        "codes": sorted(code.name for code in codebook.codes.values()),
        "sets": sorted(code_set.name for code_set in codebook.sets.values()),
        "warnings": collect.messages,
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
