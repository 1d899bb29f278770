"""The phase notebooks are thin: their code cells call the library and show what it returns."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Calls that build or train a model (scikit-learn style), or join and group tables.
LOGIC_METHODS = {"fit", "fit_transform", "fit_predict", "partial_fit", "merge", "join", "groupby", "concat",
                 "pivot_table", "apply"}
#: Classes whose construction is model building (estimators and the suggester).
MODEL_CLASSES = {"CodeSuggester", "NMF", "LogisticRegression", "TfidfVectorizer", "CountVectorizer",
                 "OneVsRestClassifier", "Pipeline", "KMeans", "GroupKFold"}
#: Statements and expressions of control flow and definitions.
LOGIC_NODES = (ast.For, ast.AsyncFor, ast.While, ast.If, ast.IfExp, ast.ListComp, ast.SetComp, ast.DictComp,
               ast.GeneratorExp, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Try, ast.With)


def logic_in(source: str) -> list[str]:
    """What counts as logic in a code cell, one entry per occurrence (node type and line).

    Counted: every loop (``for``, ``while``), branch (``if`` statement or expression),
    comprehension and generator expression, definition (``def``, ``lambda``, ``class``),
    ``try`` and ``with`` block; every call of a method that joins or groups tables or fits a
    model (:data:`LOGIC_METHODS`: ``.merge(``, ``.join(``, ``pd.concat(``, ``.groupby(``,
    ``.fit(``...); and every construction of a model class (:data:`MODEL_CLASSES`).
    Not counted: imports, assignments, calls of library functions and ``Publisher.show``.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, LOGIC_NODES):
            found.append(f"{type(node).__name__} (line {node.lineno})")
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in LOGIC_METHODS or called in MODEL_CLASSES:
                found.append(f"{called}() (line {node.lineno})")
    return found


def code_cells(notebook: Path) -> list[str]:
    return [cell.source for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"]


def test_the_counter_sees_loops_joins_branches_and_models():
    source = ("for x in y:\n    pass\nif a:\n    b = [c for c in d]\nf = lambda: 1\nt = a.merge(b)\n"
              "u = pd.concat([a, b])\nv = a.groupby('g').size()\nm = CodeSuggester().fit(X, Y)\nw = a.join(b)\n"
              "z = 1 if a else 2\n")
    assert sorted(entry.split(" ")[0] for entry in logic_in(source)) == sorted(
        ["For", "If", "ListComp", "Lambda", "merge()", "concat()", "groupby()", "fit()", "CodeSuggester()",
         "join()", "IfExp"])
    assert logic_in("from thematic import phases\nresult = phases.map_themes(data_dir, seed=seed)\n"
                    "pub.show(result, 'table-1')\n") == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_code_cells_hold_no_logic(notebook: Path):
    found = {number: logic_in(source) for number, source in enumerate(code_cells(notebook))}
    assert sum(len(entries) for entries in found.values()) == 0, {k: v for k, v in found.items() if v}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_is_parameters_one_call_and_the_display(notebook: Path):
    nb = nbformat.read(notebook, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[1].metadata.get("tags") == ["parameters"]
    setup, *shown = code_cells(notebook)[1:]
    calls = [node.func.attr for node in ast.walk(ast.parse(setup))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and getattr(node.func.value, "id", "") == "phases"]
    assert len(calls) == 1, notebook.name
    # after the call, each narrative section is one Markdown cell and one display of its results
    kinds = [cell.cell_type for cell in nb.cells[3:]]
    assert kinds == ["markdown", "code"] * (len(kinds) // 2), notebook.name
    assert all(re.fullmatch(r'pub\.show\(result, "[a-z0-9-]+"\)', source) for source in shown), notebook.name


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebooks_are_committed_without_outputs(notebook: Path):
    cells = nbformat.read(notebook, as_version=4).cells
    assert not [c for c in cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
