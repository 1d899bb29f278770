"""thematic: reproducible thematic analysis of interview transcripts."""

from thematic.dataset import Dataset, load_dataset
from thematic.errors import DataError, ParameterError, ReportError, ThematicError

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
