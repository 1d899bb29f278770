"""thematic: reproducible thematic analysis of interview transcripts."""

from thematic.startup import hide_unused_imports

hide_unused_imports()  # before anything imports spaCy: see thematic.startup

from thematic.dataset import Dataset, load_dataset  # noqa: E402
from thematic.errors import DataError, ParameterError, ReportError, ThematicError  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "Dataset",
    "ParameterError",
    "ReportError",
    "ThematicError",
    "__version__",
    "load_dataset",
]
