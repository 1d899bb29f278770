"""Report parameters: one YAML file, checked against a declared schema before anything runs.

Every parameter a notebook takes is declared once, as a :class:`Parameter`, in the module
that uses it (a ``PARAMETERS`` tuple beside the code: ``cv_folds`` in :mod:`thematic.suggest`,
``n_jobs`` in :mod:`thematic.parallel`...). A declaration gives the type and the values the
parameter may take (pydantic constraints), and what it means. :func:`load_parameters` checks
a parameter file against these declarations, and against what the notebooks declare in their
``parameters`` cells, so that ``cv_folds: 0`` or ``coding_rule: majority`` fail at once with
the parameter's name and the file, not half a minute later inside a notebook. The same
declarations check command-line options (:func:`option_type`).
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any

import click
import numpy as np
from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, ValidationError

from thematic import io
from thematic.errors import Errors, ParameterError

#: Notebook parameters the runner sets itself; a parameter file may not set them.
INJECTED = ("output_dir",)
#: The modules that declare report parameters (each in a ``PARAMETERS`` tuple).
#: (:func:`declarations` imports them in this order until it has found what it looks for: the
#: modules that import scikit-learn or the report runner's libraries come last.)
DECLARED_IN = (
    "thematic.parameters", "thematic.study", "thematic.nlp", "thematic.parallel", "thematic.vocabulary",
    "thematic.kwic", "thematic.agreement", "thematic.consensus", "thematic.triangulate", "thematic.quotes",
    "thematic.review", "thematic.embeddings", "thematic.suggestion_review", "thematic.candidates",
    "thematic.suggest", "thematic.report",
)


@dataclass(frozen=True)
class Parameter:
    """One report parameter: its name, the values it may take, and what it means.

    Parameters
    ----------
    name
        The name in the parameter file and the notebooks' ``parameters`` cells.
    type
        Its type, with pydantic constraints (``Annotated[int, Field(ge=2)]``); values are
        checked strictly (``"5"`` is not an int, ``true`` is not a number). A validator may
        return a normalised value (``data_dir`` becomes an absolute path).
    help
        What it is, completing "It is ..." in error messages.
    record
        For the manifest: what a value stands for once resolved (``spacy_model`` -> the
        pipeline package that loads), or None.
    """

    name: str
    type: Any
    help: str
    record: Callable[[Any], Any] | None = None

    @cached_property
    def _adapter(self) -> TypeAdapter:
        return TypeAdapter(self.type)

    def validate(self, value: Any, *, strict: bool = True) -> Any:
        """*value* checked and normalised; raises pydantic's ValidationError."""
        return self._adapter.validate_python(value, strict=strict)

    def check(self, value: Any, *, source: str | os.PathLike, strict: bool = True) -> Any:
        """*value* checked (and normalised); a ParameterError names the parameter and *source*."""
        try:
            return self.validate(value, strict=strict)
        except ValidationError as error:
            where, problem = self.problem(error, value=value)
            raise ParameterError(Errors.E809.format(name=f"{self.name}{where}", path=source, problem=problem,
                                                    value=value, help=self.help)) from None

    @staticmethod
    def problem(error: ValidationError, *, value: Any) -> tuple[str, str]:
        """Where in the value (``[key]``) and what pydantic found first, as a phrase."""
        first = error.errors()[0]
        where = "".join(f"[{p}]" for p in first["loc"])
        cause = (first.get("ctx") or {}).get("error")
        if isinstance(cause, Exception):  # a validator's own message: keep it, without a code
            problem = re.sub(r"^\[[EW]\d+\] ", "", str(cause)).rstrip(".")
        elif value is None and not where:
            problem = "must be set"
        elif first["type"] == "extra_forbidden":
            problem = "is not one of its keys"
        else:
            problem = re.sub(r"^(Input|String|List|Dictionary|Value) should", "must",
                             first["msg"].removeprefix("Value error, "))
        return where, problem


def rules(model: type[BaseModel]) -> Any:
    """The type of a parameter that is a mapping of *model*'s fields (rules of a step); the
    value stays the mapping as given, checked against the model."""
    return Annotated[model | None, AfterValidator(lambda m: None if m is None else m.model_dump(exclude_unset=True))]


#: The seed every random step is derived from (numpy takes 0 to 2**32 - 1).
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
PARAMETERS = (Parameter("seed", Seed, "the seed of every random step, a whole number from 0 to 2**32 - 1"),)


@lru_cache(maxsize=1)
def schema() -> dict[str, Parameter]:
    """Every declared parameter by name, from the modules of :data:`DECLARED_IN`."""
    found: dict[str, Parameter] = {}
    for module in DECLARED_IN:
        for parameter in importlib.import_module(module).PARAMETERS:
            if parameter.name in found:
                raise RuntimeError(f"parameter {parameter.name!r} is declared twice ({module})")
            found[parameter.name] = parameter
    return found


def declarations(names: Iterable[str]) -> dict[str, Parameter]:
    """The declarations of the parameters *names* (those declared), importing no more of
    :data:`DECLARED_IN` than it takes: the modules already imported are read first, then the
    others in order until every name is found. A phase checks its parameters with this, so a
    notebook's kernel does not import every library of every phase (scikit-learn for
    notebook 00, nbconvert for any) to check its own few. :func:`schema` reads them all."""
    wanted = set(names)
    found: dict[str, Parameter] = {}
    for module in sorted(DECLARED_IN, key=lambda m: m not in sys.modules):
        if wanted <= found.keys():
            break
        for parameter in importlib.import_module(module).PARAMETERS:
            if parameter.name in wanted:
                found.setdefault(parameter.name, parameter)
    return found


def option_type(module: str, name: str, *, metavar: str) -> click.ParamType:
    """A click type checking a command-line option as the report parameter *name* (declared
    in *module*, imported only when the option is used) is checked."""
    return _OptionType(module, name, metavar)


class _OptionType(click.ParamType):
    def __init__(self, module: str, name: str, metavar: str):
        self.module, self.name, self.metavar = module, name, metavar

    def get_metavar(self, param, ctx=None) -> str:
        return self.metavar

    def convert(self, value, param, ctx):
        parameter = next(p for p in importlib.import_module(self.module).PARAMETERS if p.name == self.name)
        try:
            return parameter.validate(value, strict=False)
        except ValidationError as error:
            _, problem = parameter.problem(error, value=value)
            self.fail(f"{problem}; got {value!r}. It is {parameter.help}.", param, ctx)


# --- the notebooks' declarations ------------------------------------------------------------

@dataclass(frozen=True)
class NotebookParameters:
    """A notebook's declared parameters: name -> (type name, default literal)."""

    notebook: Path
    declared: dict[str, tuple[str, str]]

    def defaults(self) -> dict[str, Any]:
        """The default values of the parameters cell (those that are literals)."""
        values = {}
        for name, (_, literal) in self.declared.items():
            try:
                values[name] = ast.literal_eval(literal)
            except (ValueError, SyntaxError):
                continue
        return values


def declared_parameters(notebook: Path) -> NotebookParameters:
    """Read the ``parameters`` cell of *notebook* (via papermill's inspection)."""
    import papermill

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


# --- loading a parameter file -----------------------------------------------------------------

def load_parameters(path: str | os.PathLike, notebooks: list[NotebookParameters]) -> dict[str, Any]:
    """Load a parameter file and check every value before any notebook runs.

    Declared parameters (:func:`schema`) are checked for type, range and allowed values;
    parameters only a notebook declares (a study's own notebooks) for the type of their
    default. The notebooks' defaults that the file does not override are checked too, so a
    bad default fails here, naming its notebook.

    Returns
    -------
    dict
        The file's values, checked and normalised (``data_dir`` as an absolute path).

    Raises
    ------
    ParameterError
        Listing every unknown key (with the known ones) or every bad value, each with its name.
    """
    path = Path(path)
    data = io.read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ParameterError(Errors.E008.format(path=path, detail="expected a mapping of name: value"))
    declared: dict[str, str] = {}
    for nb in notebooks:
        for name, (type_name, _) in nb.declared.items():
            declared.setdefault(name, type_name)
    runner = set(runner_parameters())
    known = sorted((set(declared) - set(INJECTED)) | runner)
    unknown = sorted(str(k) for k in set(data) - set(known))
    if unknown:
        raise ParameterError(Errors.E013.format(unknown=unknown, path=path, known=known))
    values, problems = {}, []
    for name, value in data.items():
        try:
            values[name] = _check(name, to_json_type(value), declared.get(name, "None"), source=path)
        except ParameterError as error:
            problems.append(str(error))
    for nb in notebooks:
        for name, value in nb.defaults().items():
            if name not in data and name not in INJECTED:
                try:
                    _check(name, value, declared[name], source=nb.notebook)
                except ParameterError as error:
                    problems.append(str(error))
    if problems:
        raise ParameterError("\n".join(dict.fromkeys(problems)))
    return values


def runner_parameters() -> tuple[str, ...]:
    """Parameters the report runner reads itself (declared in :mod:`thematic.report`)."""
    return tuple(p.name for p in importlib.import_module("thematic.report").PARAMETERS)


def _check(name: str, value: Any, type_name: str, *, source: str | os.PathLike) -> Any:
    declared = schema().get(name)
    if declared is not None:
        return to_json_type(declared.check(value, source=source))
    if not _matches(value, type_name):
        raise ParameterError(Errors.E014.format(name=name, path=source, expected=type_name, value=value))
    return value


def _matches(value: Any, type_name: str) -> bool:
    checks = {"int": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "str": lambda v: isinstance(v, str), "bool": lambda v: isinstance(v, bool),
              "list": lambda v: isinstance(v, list), "dict": lambda v: isinstance(v, dict)}
    check = checks.get(type_name.split("[")[0].lower())
    return value is None or check is None or check(value)


def effective_parameters(values: dict[str, Any], notebooks: list[NotebookParameters]) -> dict[str, Any]:
    """What the notebooks run with: their defaults, overridden by *values*."""
    merged: dict[str, Any] = {}
    for nb in notebooks:
        for name, value in nb.defaults().items():
            merged.setdefault(name, value)
    return {**merged, **values}


def resolved(values: dict[str, Any]) -> dict[str, Any]:
    """For the manifest: what each recorded parameter stands for (e.g. the pipeline that loads)."""
    return {name: parameter.record(values[name]) for name, parameter in sorted(schema().items())
            if parameter.record is not None and name in values and values[name] is not None}


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
