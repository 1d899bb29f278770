"""End to end: `thematic report` renders the sample into a fresh folder; failures keep the old one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from conftest import ROOT, SAMPLE
from thematic import io
from thematic.errors import ReportError
from thematic.report import render_report

pytestmark = pytest.mark.slow
PHASES = ["00-prepare", "01-familiarisation", "02-code-suggestions", "03-theme-mapping", "04-triangulation"]


@pytest.fixture
def report(rendered_report: Path) -> Path:
    return rendered_report


def test_index_links_every_phase_and_shows_parameters(report: Path):
    index = (report / "index.html").read_text(encoding="utf-8")
    for phase in PHASES:
        for href in (f"html/{phase}.html", f"html/{phase}.code.html", f"executed/{phase}.ipynb"):
            assert f'href="{href}"' in index and (report / href).exists()
    assert "coding_rule" in index and "Provenance" in index


def test_manifest_traces_inputs_code_and_time(report: Path):
    manifest = json.loads((report / "manifest.json").read_text())
    assert manifest["parameters"]["seed"] == 20200701
    assert manifest["inputs"]["data-sample/participants.csv"] == io.sha256_file(SAMPLE / "participants.csv")
    assert "notebooks/03-theme-mapping.ipynb" in manifest["inputs"]
    assert manifest["started"] <= manifest["finished"]
    assert {"spacy", "papermill", "pandas"} <= set(manifest["packages"])
    assert [p["name"] for p in manifest["phases"]] == PHASES


def test_every_notebook_of_the_end_to_end_report_was_executed_not_reused(report: Path):
    manifest = json.loads((report / "manifest.json").read_text())
    assert [(p["name"], p["run"]) for p in manifest["phases"]] == [(phase, "executed") for phase in PHASES]
    assert all(re.fullmatch(r"[0-9a-f]{32}", p["key"]) and p["stored"] == "stored" for p in manifest["phases"])
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "reused: inputs unchanged" not in index and index.count("<td>executed: ") == len(PHASES)


def test_executed_notebooks_ran_without_errors(report: Path):
    for phase in PHASES:
        nb = nbformat.read(report / "executed" / f"{phase}.ipynb", as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error"], phase
        assert nb.metadata["papermill"]["parameters"]["output_dir"]


def test_no_progress_bar_remains_in_the_report(report: Path):
    """Phases draw no bar under `thematic report`: no stderr band, no widget, in any executed notebook."""
    for phase in PHASES:
        nb = nbformat.read(report / "executed" / f"{phase}.ipynb", as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], phase
        assert not [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})], phase
    assert [s["name"] for s in json.loads((report / "timings" / "02-code-suggestions.json").read_text())["steps"]] == [
        "candidate codes", "cross-validation", "per-code intervals", "learning curve", "suggestions for review",
        "what to code next"]


def test_every_phase_has_a_table_and_a_figure(report: Path):
    for phase in PHASES:
        assert list((report / "tables" / phase).glob("*.csv")), phase
        figures = list((report / "figures" / phase).glob("*.json"))
        assert figures and all(json.loads(f.read_text())["data"] for f in figures), phase
    table1 = pd.read_csv(report / "tables" / "03-theme-mapping" / "table-1.csv")
    assert table1["theme"].tolist() == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    assert (table1["segments"] > 0).all()


def test_report_says_what_the_numbers_rest_on(report: Path):
    for phase in ("00-prepare", "03-theme-mapping"):  # the sample declares itself synthetic (study.yaml)
        assert "These data are synthetic." in (report / "html" / f"{phase}.html").read_text(encoding="utf-8")
    counts = pd.read_csv(report / "tables" / "04-triangulation" / "convergence-counts.csv").set_index("convergence")
    assert counts.loc["partial agreement", "pairs"] > 0 and counts.loc["dissonance", "pairs"] > 0
    page = (report / "html" / "04-triangulation.html").read_text(encoding="utf-8")
    assert counts.loc["silence", "pairs"] > 0 or "<strong>silence</strong>: none of" in page  # or said why not
    assert "convergence-protocol" in page and "compared with the other groups on T7" in page
    waves = pd.read_csv(report / "tables" / "04-triangulation" / "waves.csv")
    assert waves[["change_low", "change_high"]].notna().all().all()
    named = waves["direction"].isin(["rose", "fell"])
    assert ((waves["change_low"] > 0) | (waves["change_high"] < 0))[named].all()
    register = pd.read_csv(report / "tables" / "04-triangulation" / "statistics-register-all.csv",
                           keep_default_na=False)
    assert {"03 agreement-per-code", "03 agreement-by-unit", "04 waves"} <= set(register["shown_in"])
    assert (register.loc[register["resamples"] != "", "seed"].astype(int) == 20200701).all()
    agreement = pd.read_csv(report / "tables" / "03-theme-mapping" / "agreement-per-code.csv")
    assert agreement["cluster"].eq("participant").all() and "reliability" in agreement.columns


def test_html_pages_load_nothing_from_the_network(report: Path):
    for page in (report / "html").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"""<(script|link)[^>]+(src|href)=["']https?://""", html), page.name
        assert "Plotly.newPlot" in html or "plotly" not in page.name
    reader = (report / "html" / "03-theme-mapping.html").read_text(encoding="utf-8")
    reviewer = (report / "html" / "03-theme-mapping.code.html").read_text(encoding="utf-8")
    assert "map_themes" not in reader and "map_themes" in reviewer


#: A page (plotly.js shared beside it, not counted) must stay under this size.
PAGE_LIMIT = 1_500_000


def test_pages_are_small_titled_share_one_plotly_and_link_their_csvs(report: Path):
    plotly_js = report / "html" / "plotly.min.js"
    assert plotly_js.read_text(encoding="utf-8") == get_plotlyjs()
    titles, sizes = {}, {}
    for page in sorted((report / "html").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        sizes[page.name] = page.stat().st_size
        titles[page.name] = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert len(re.findall(r"""<script[^>]*\ssrc=["']plotly\.min\.js["']""", html)) == 1, page.name
        assert get_plotlyjs()[:2000] not in html, page.name  # not inlined as well
        phase = page.name.split(".")[0]
        for name in (p.stem for p in (report / "tables" / phase).glob("*.csv")):
            assert f'href="../tables/{phase}/{name}.csv"' in html, (page.name, name)
    print("\npage sizes (plotly.min.js, "
          f"{plotly_js.stat().st_size / 1e6:.2f} MB, shared):\n" + "\n".join(
              f"  {name:34} {size / 1e6:5.2f} MB" for name, size in sizes.items()))
    assert all(size < PAGE_LIMIT for size in sizes.values()), sizes
    assert len(set(titles.values())) == len(titles) and "Notebook" not in titles.values(), titles
    assert titles["03-theme-mapping.html"].startswith("03 · Theme mapping | Interprofessional working")
    assert titles["03-theme-mapping.code.html"].startswith("03 · Theme mapping (with code) | ")


def test_no_raw_identifier_reaches_the_report(report: Path):
    gold = pd.read_csv(SAMPLE / "deidentification-gold.csv")
    surfaces = set()
    for interview_id, rows in gold.groupby("interview_id"):
        raw = (SAMPLE / "raw" / f"{interview_id}.txt").read_text(encoding="utf-8")
        surfaces |= {raw[r.start:r.end] for r in rows.itertuples()
                     if r.type in {"PERSON", "PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER"}}
    surfaces -= {"Will", "May", "Hope"}  # also ordinary words
    plotly_js = get_plotlyjs()
    pattern = re.compile("|".join(rf"\b{re.escape(s)}\b" for s in sorted(surfaces, key=len, reverse=True)))
    for path in io.iter_files(report):
        if path.suffix in {".html", ".ipynb", ".csv", ".json"}:
            text = path.read_text(encoding="utf-8").replace(plotly_js, "")  # the library, not data
            found = pattern.search(text)
            assert not found, (path.name, found and found.group(0))


def test_the_canary_planted_in_raw_reaches_no_report_file(report: Path):
    canary = io.read_yaml(SAMPLE / "source" / "cast.yaml")["canary"]
    assert canary in io.read_text(SAMPLE / "raw" / "PAR01-W1.txt")  # planted by tools/build_sample.py
    executed = list((report / "executed").glob("*.ipynb"))
    assert len(executed) == len(PHASES)
    for path in io.iter_files(report):
        assert canary.lower() not in path.read_bytes().decode("utf-8", "replace").lower(), path.name
    prepare = (report / "executed" / "00-prepare.ipynb").read_text(encoding="utf-8")
    assert "deidentification-vs-gold" in prepare  # the audit ran in the report, on raw/


def test_a_failing_notebook_keeps_the_previous_report(report: Path, tmp_path: Path):
    out = tmp_path / "reports"
    shutil.copytree(report, out)
    before = (out / "manifest.json").read_text()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for phase in PHASES:
        shutil.copy(ROOT / "notebooks" / f"{phase}.ipynb", notebooks)
    broken = nbformat.read(ROOT / "notebooks" / "01-familiarisation.ipynb", as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
    nbformat.write(broken, notebooks / "01-familiarisation.ipynb")
    with pytest.raises(ReportError, match=r"01-familiarisation.ipynb failed at cell \d+ \(ValueError: planted failure\)"):
        render_report(ROOT / "params" / "sample.yaml", output_dir=out, notebooks_dir=notebooks,
                      progress=False, echo=lambda m: None)
    assert (out / "manifest.json").read_text() == before
    assert (tmp_path / "reports.failed" / "executed" / "01-familiarisation.ipynb").exists()


def test_a_folder_without_codebook_or_codings_still_renders(sample_copy: Path, tmp_path: Path):
    (sample_copy / "codebook.yaml").unlink()
    shutil.rmtree(sample_copy / "codings")
    params = tmp_path / "mine.yaml"
    params.write_text(f"data_dir: {sample_copy}\ntitle: Before coding\n")
    out = render_report(params, output_dir=tmp_path / "r", notebooks_dir=ROOT / "notebooks",
                        progress=False, echo=lambda m: None)
    reader = (out / "html" / "02-code-suggestions.html").read_text(encoding="utf-8")
    assert "No codings yet" in reader
    assert (out / "tables" / "01-familiarisation" / "corpus-overview.csv").exists()


def test_member_check_documents_are_rendered(report: Path):
    import docx

    folder = report / "member-check"
    page = (folder / "member-check.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']""", page)  # self-contained: no request of any kind
    assert "T6-Q1" in page and "Practitioner" in page
    document = docx.Document(str(folder / "member-check.docx"))
    assert document.core_properties.identifier.startswith("MC-")
    assert any(t.rows[0].cells[0].text == "Item" for t in document.tables)
    template = pd.read_csv(folder / "member-check-comments.csv", keep_default_na=False)
    assert {"T1", "T6-Q1", "general"} <= set(template["item_id"])
    reader = (report / "html" / "04-triangulation.html").read_text(encoding="utf-8")
    assert "../member-check/member-check.html" in reader


def _reshaped_sample(target: Path, *, groups, drop_interview_columns=()) -> Path:
    """The sample with its participants regrouped by *groups* (a function of the row number,
    or None for no group column), without study.yaml, and without some interview columns."""
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("source", "study.yaml"))
    participants = pd.read_csv(target / "participants.csv", dtype=str, keep_default_na=False)
    participants = participants.drop(columns=["group", "label"])
    if groups is not None:
        participants.insert(1, "group", [groups(n) for n in range(len(participants))])
    participants.to_csv(target / "participants.csv", index=False)
    interviews = pd.read_csv(target / "interviews.csv", dtype=str, keep_default_na=False)
    interviews.drop(columns=list(drop_interview_columns)).to_csv(target / "interviews.csv", index=False)
    return target


@pytest.mark.parametrize(("shape", "groups", "n_groups", "dropped"), [
    ("one group, no waves", None, 1, ("wave",)),
    ("two groups, two waves", lambda n: ("clinic", "home visits")[n % 2], 2, ()),
    ("twelve groups, no dates or durations", lambda n: f"site_{n % 12:02d}", 12, ("date", "duration_min")),
])
def test_other_shapes_of_study_render_the_whole_report(tmp_path: Path, shape: str, groups, n_groups: int,
                                                       dropped):
    data = _reshaped_sample(tmp_path / "data", groups=groups, drop_interview_columns=dropped)
    params = tmp_path / "params.yaml"
    params.write_text(f"data_dir: {data}\ntitle: {shape}\n")
    out = render_report(params, output_dir=tmp_path / "r", notebooks_dir=ROOT / "notebooks",
                        progress=False, echo=lambda m: None)
    for phase in PHASES:
        executed = nbformat.read(out / "executed" / f"{phase}.ipynb", as_version=4)
        errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, (phase, errors)
    overview = pd.read_csv(out / "tables" / "01-familiarisation" / "methods-table.csv")
    assert len(overview) == n_groups + 1  # the groups and the total
    convergence = pd.read_csv(out / "tables" / "04-triangulation" / "convergence-by-theme.csv")
    if n_groups == 1:
        assert set(convergence["convergence"]) == {"single group"}
        reader = (out / "html" / "04-triangulation.html").read_text(encoding="utf-8")
        assert "No participant was interviewed in more than one wave" in reader
    else:
        assert convergence["groups_in_scope"].max() == n_groups
        assert "single group" not in set(convergence["convergence"])
    if "duration_min" in dropped:
        reader = (out / "html" / "01-familiarisation.html").read_text(encoding="utf-8")
        assert "No interview durations" in reader
    if n_groups == 2:  # both groups keep the sample's second interviews: change over time is shown
        waves = pd.read_csv(out / "tables" / "04-triangulation" / "waves.csv")
        assert set(waves["group"]) <= {"clinic", "home visits"} and len(waves)


def test_named_steps_of_each_phase_reach_the_manifest_and_the_index(tmp_path: Path):
    """A phase that times its steps (thematic.steps.Steps, record_to=output_dir) has them in the
    manifest, per notebook, and in a small table of the index; one that does not has none."""
    from thematic.bench.report import _params_declared_by, write_trivial_notebooks

    notebooks = write_trivial_notebooks([ROOT / "notebooks" / f"{p}.ipynb" for p in PHASES[:2]], tmp_path / "nb")
    params = _params_declared_by(ROOT / "params" / "sample.yaml", notebooks, tmp_path / "params.yaml")
    timed = nbformat.read(notebooks[0], as_version=4)
    timed.cells.append(nbformat.v4.new_code_cell(
        "from thematic.steps import Steps\n"
        "steps = Steps(phase='00-prepare', record_to=output_dir, progress=False)\n"
        "with steps('read <transcripts>', total=3) as advance:\n"
        "    for _ in range(3):\n"
        "        advance()\n"
        "with steps('count words'):\n"
        "    pass\n"))
    nbformat.write(timed, notebooks[0])
    out = render_report(params, output_dir=tmp_path / "reports", notebooks_dir=tmp_path / "nb", progress=False, echo=lambda m: None)
    phases = json.loads((out / "manifest.json").read_text())["phases"]
    first, second = phases
    assert [(s["name"], s.get("items")) for s in first["steps"]] == [("read <transcripts>", 3), ("count words", None)]
    assert all(0 <= s["seconds"] <= first["seconds"] for s in first["steps"]) and second["steps"] == []
    index = (out / "index.html").read_text(encoding="utf-8")
    section = index[index.index('id="timings"'):index.index('id="provenance"')]
    assert "<td>read &lt;transcripts&gt;</td>" in section and "<td>count words</td>" in section
    assert "<td>3</td>" in section and "built-in method" not in section
    assert "00-prepare" in section and "01-familiarisation" in section and "No named steps recorded" in section
    assert "timings/" not in index[index.index('id="documents"'):] if 'id="documents"' in index else True
