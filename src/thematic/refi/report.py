"""The import report: what an import read, wrote, could not map, and filled in by default."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """What an import read, wrote, could not map, converted, and filled in by default.

    Every item of the file that is not in the data folder as it was stored is listed in one
    of the sections; a section says "nothing" only when nothing belongs in it.
    """

    source: str
    origin: str = ""
    read: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    not_imported: list[str] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"# Import of {self.source}", ""]
        if self.origin:
            lines += [f"Written by: {self.origin}", ""]
        lines += ["## Read", *(f"- {k}: {v}" for k, v in self.read.items()), "",
                  "## Written", *(f"- {k}: {v}" for k, v in self.written.items()), ""]
        for title, items in (("Not imported", self.not_imported),
                             ("Imported differently from how it was stored (check)", self.converted),
                             ("Filled in by default (check and edit)", self.defaults),
                             ("To fix before analysis", self.to_check)):
            lines += [f"## {title}", *(f"- {item}" for item in items or ["nothing"]), ""]
        return "\n".join(lines)
