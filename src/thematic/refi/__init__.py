"""REFI-QDA exchange: ``.qdpx`` projects and ``.qdc`` codebooks to and from a data folder.

Modules, one per concern: :mod:`model` (the project in memory), :mod:`archive` (safe zip
reading, atomic writing), :mod:`read` (QDA-XML to model, via defusedxml), :mod:`write` (model to
QDA-XML), :mod:`offsets` (line endings and position conventions), :mod:`ids` (GUIDs and safe
names), :mod:`codes` (codebook <-> code tree), :mod:`to_project` (data folder -> project),
:mod:`to_folder` and :mod:`cases` (project -> data folder), :mod:`report` (the import report)
and :mod:`exchange` (the export and import operations the command line runs).
"""

from thematic.refi.archive import Limits
from thematic.refi.exchange import export_refi, import_refi, read_refi

__all__ = ["Limits", "export_refi", "import_refi", "read_refi"]
