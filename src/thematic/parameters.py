"""Report parameters: one YAML file, checked against what the notebooks declare."""

from __future__ import annotations

import ast
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import papermill
from pydantic import BaseModel

from thematic import io
from thematic.errors import Errors, ParameterError

#: Keys the report runner itself reads; everything else must be a notebook parameter.
RUNNER_KEYS = {"title": str}
#: Notebook parameters the runner sets itself; a parameter file may not set them.
INJECTED = ("output_dir",)


@dataclass(frozen=True)
class NotebookParameters:
    """A notebook's declared parameters: name -> (type name, default literal)."""

    notebook: Path
    declared: dict[str, tuple[str, str]]


def declared_parameters(notebook: Path) -> NotebookParameters:
    """Read the ``parameters`` cell of *notebook* (via papermill's inspection)."""
    found = papermill.inspect_notebook(str(notebook))
    return NotebookParameters(notebook, {
        name: (_type_name(spec["inferred_type_name"], spec["default"]), spec["default"])
        for name, spec in found.items()
    })


def _type_name(annotated: str, default: str) -> str:
    """The annotated type, else the type of the default literal (``None`` allows any)."""
    if annotated and annotated != "None":
        return annotated
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return "None"
    return "None" if value is None else type(value).__name__


def to_json_type(value: Any) -> Any:
    """Cast a value to a JSON type papermill can inject (Path, tuple, numpy, dates)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (tuple, list)):
        return [to_json_type(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_type(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def load_parameters(path: str | os.PathLike, notebooks: list[NotebookParameters]) -> dict[str, Any]:
    """Load a parameter file and check it against the notebooks' declared parameters.

    Raises
    ------
    ParameterError
        On unknown keys (listing the known ones) or a value of the wrong type.
    """
    path = Path(path)
    data = io.read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ParameterError(Errors.E008.format(path=path, detail="expected a mapping of name: value"))
    declared: dict[str, str] = {}
    for nb in notebooks:
        for name, (type_name, _) in nb.declared.items():
            declared.setdefault(name, type_name)
    known = sorted((set(declared) - set(INJECTED)) | set(RUNNER_KEYS))
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ParameterError(Errors.E013.format(unknown=unknown, path=path, known=known))
    values = {name: to_json_type(value) for name, value in data.items()}
    for name, value in values.items():
        expected = RUNNER_KEYS.get(name, None)
        type_name = expected.__name__ if expected else declared[name]
        if not _matches(value, type_name):
            raise ParameterError(Errors.E014.format(name=name, path=path, expected=type_name, value=value))
    return values


def _matches(value: Any, type_name: str) -> bool:
    checks = {"int": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "str": lambda v: isinstance(v, str), "bool": lambda v: isinstance(v, bool),
              "list": lambda v: isinstance(v, list), "dict": lambda v: isinstance(v, dict)}
    check = checks.get(type_name.split("[")[0].lower())
    return value is None or check is None or check(value)


def rules_from_parameter(model: type[BaseModel], values: dict | None, *, message: str) -> BaseModel:
    """Validate a notebook's rules parameter (a dict) into *model*; a bad value is a ParameterError.

    *message* is an ``Errors`` template with ``{detail}`` and ``{known}`` (the model's fields).
    """
    try:
        return model.model_validate(values or {})
    except ValueError as error:
        raise ParameterError(message.format(detail=str(error).replace("\n", " "),
                                            known=", ".join(model.model_fields))) from None


def for_notebook(values: dict[str, Any], notebook: NotebookParameters, **injected: Any) -> dict[str, Any]:
    """The parameters one notebook declares, from *values* and the runner's *injected* ones."""
    merged = {**values, **{k: to_json_type(v) for k, v in injected.items()}}
    return {name: merged[name] for name in notebook.declared if name in merged}
