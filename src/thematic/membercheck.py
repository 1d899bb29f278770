"""The member check: a summary of the themes with quotes, and the stakeholder's comments back.

:func:`build_summary` gathers what a stakeholder reads (themes, definitions, how each theme
compares across groups, quotes); :func:`write_member_check` renders it as a self-contained
HTML page (no network request), a Word document (python-docx) and a comments template (CSV).
:func:`read_comments` reads the comments back from the filled-in template (CSV or YAML) or
the edited Word document (its comment boxes and any review comments), and
:func:`record_comments` appends them to ``<data_dir>/member-check/comments.csv`` with who
wrote them, when, and the SHA-256 of the file they came from: the audit trail.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import jinja2
import pandas as pd
from docx.opc.exceptions import OpcError
from docx.shared import Pt, RGBColor

from thematic import __version__, io
from thematic.codebook import Codebook
from thematic.errors import DataError, Errors
from thematic.settings import in_scope
from thematic.study import Study

COMMENT_COLUMNS = ["comment_id", "document_id", "item_id", "comment", "reviewer", "commented_on",
                   "recorded_at", "source_file", "source_sha256"]
TEMPLATE_COLUMNS = ["document_id", "item_id", "item", "comment", "reviewer", "commented_on"]
#: Header of the comment tables in the Word document; the reader looks for it.
DOCX_TABLE_HEADER = ("Item", "Your comments")
GENERAL_ITEM = "general"
CONVERGENCE_TEXT = {
    "agreement": "The groups describe this theme in much the same way and with similar emphasis.",
    "partial agreement": "The groups share this theme but differ either in how much they say about it or "
                         "in what they say about it, not both.",
    "silence": "Some groups spoke about this theme and others hardly at all.",
    "dissonance": "The groups differ both in how much they say about this theme and in what they say about it.",
    "single group": "",
    "absent in both": "",
}


def build_summary(codebook: Codebook, quotes: pd.DataFrame, *, convergence: pd.DataFrame | None = None,
                  profiles: pd.DataFrame | None = None, title: str = "", study: str = "",
                  group_names: dict[str, str] | None = None,
                  scopes: dict[str, str | None] | None = None) -> dict:
    """What the stakeholder reads, as plain data (also hashed into ``document_id``).

    *quotes* is the output of :func:`thematic.quotes.select_quotes`; *convergence* that of
    :func:`thematic.triangulate.theme_convergence` and *profiles* that of
    :func:`thematic.triangulate.group_profiles` (both optional: they add a sentence on how the
    groups compare). *group_names* names groups in prose ("the service team"; default: the
    group id), *scopes* gives each group's codebook scope (the study's settings), so that each
    theme says whose interviews it comes from.
    """
    group_names = group_names or {}
    scopes = scopes or {}
    by_theme = convergence.set_index("theme") if convergence is not None and len(convergence) else None
    themes = []
    for theme in codebook.themes:
        mine = quotes[quotes["theme"] == theme.id] if len(quotes) else quotes
        code = by_theme.loc[theme.id, "convergence"] if by_theme is not None and theme.id in by_theme.index else ""
        themes.append({
            "id": theme.id, "name": theme.name, "scope": theme.scope,
            "scope_text": scope_text(theme.scope, scopes=scopes, group_names=group_names),
            "description": " ".join(theme.description.split()),
            "convergence": code,
            "convergence_text": " ".join(filter(None, [CONVERGENCE_TEXT.get(code, ""),
                                                       _prominence_text(profiles, theme.id, group_names)])),
            "codes": [{"label": c.label, "kind": c.kind, "definition": " ".join(c.definition.split())}
                      for c in theme.codes],
            "quotes": [{"id": q.quote_id, "text": q.quote, "attribution": q.attribution,
                        "group": group_names.get(q.group, q.group)}
                       for q in mine.itertuples(index=False)],
        })
    summary = {
        "title": title or f"Member check: {codebook.title}", "study": study or codebook.title,
        "introduction": ("This is a summary of the themes we found in the interviews, with short quotes "
                         "that illustrate each one. We would like to know whether it reflects your "
                         "experience of the service."),
        "themes": themes, "version": __version__,
    }
    digest = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
    summary["document_id"] = f"MC-{digest[:12]}"
    summary["template_name"] = "member-check-comments.csv"
    return summary


def scope_text(scope: str | None, *, scopes: dict[str, str | None], group_names: dict[str, str]) -> str:
    """'Theme from the interviews with nurses and social workers' for a theme of *scope*."""
    groups = [g for g, group_scope in scopes.items() if in_scope(scope, group_scope)]
    if scope is None or len(groups) == len(scopes):
        return "Theme from all the interviews"
    named = [group_names.get(g, g.replace("_", " ")) for g in groups]
    if not named:
        return f"Theme of scope '{scope}' (no group of this study has that scope)"
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Theme from the interviews with {listed}"


def _prominence_text(profiles: pd.DataFrame | None, theme_id: str, names: dict[str, str]) -> str:
    """'Most prominent among X and Y; less so among Z; hardly raised by W.' from group profiles."""
    if profiles is None or not len(profiles):
        return ""
    mine = profiles[(profiles["theme"] == theme_id) & (profiles["prominence"] != "out of scope")]
    if len(mine) < 2:
        return ""  # a theme of one group only: nothing to compare
    parts = []
    for level, lead in (("salient", "Most prominent among"), ("minor", "less so among"),
                        ("silent", "hardly raised by")):
        groups = [names.get(g, g.replace("_", " ")) for g in mine.loc[mine["prominence"] == level, "group"]]
        if groups:
            listed = groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]
            parts.append(f"{lead} {listed}")
    return "; ".join(parts) + "."


def item_ids(summary: dict) -> list[str]:
    """Every item a comment can refer to: each theme, each quote, and ``general``."""
    ids = []
    for theme in summary["themes"]:
        ids += [theme["id"], *(q["id"] for q in theme["quotes"])]
    return [*ids, GENERAL_ITEM]


def render_html(summary: dict, *, generated: str = "") -> str:
    """The member-check page: one self-contained HTML file (inline CSS, no scripts or links)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("thematic", "templates"),
                             autoescape=True, keep_trailing_newline=True)
    return env.get_template("member-check.html.j2").render(summary=summary, generated=generated or _today())


def comment_template(summary: dict) -> pd.DataFrame:
    """The comments template: one row per item, with an empty ``comment`` to fill in."""
    rows = []
    for theme in summary["themes"]:
        rows.append((theme["id"], f"Theme: {theme['name']}"))
        rows += [(q["id"], f"Quote ({q['attribution']}): {_short(q['text'])}") for q in theme["quotes"]]
    rows.append((GENERAL_ITEM, "Anything else"))
    return pd.DataFrame([{"document_id": summary["document_id"], "item_id": i, "item": text, "comment": "",
                          "reviewer": "", "commented_on": ""} for i, text in rows], columns=TEMPLATE_COLUMNS)


#: Characters XML 1.0 (and so Word) cannot hold: controls other than tab and line breaks. A
#: transcript exported from Word holds vertical tabs (its manual line break), for instance.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value):
    """*value* (a summary, or any part of it) with characters Word cannot hold made spaces."""
    if isinstance(value, str):
        return _NOT_XML.sub(" ", value)
    if isinstance(value, dict):
        return {k: _xml_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_text(v) for v in value]
    return value


def build_docx(summary: dict) -> docx.document.Document:
    """The member-check summary as a Word document with a comment table after each theme.

    Text goes in as text (python-docx escapes it); control characters Word cannot hold become
    spaces.
    """
    summary = _xml_text(summary)
    document = docx.Document()
    props = document.core_properties
    props.title, props.subject, props.identifier = summary["title"], "Member check", summary["document_id"]
    props.author, props.comments = "thematic", f"thematic {summary['version']}"
    props.last_modified_by = "thematic"
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    document.add_heading(summary["title"], level=0)
    _meta(document.add_paragraph(), f"Member-check summary · {summary['study']} · document {summary['document_id']}")
    document.add_heading("About this summary", level=1)
    document.add_paragraph(summary["introduction"])
    document.add_paragraph(
        "Please read each theme and its quotes and tell us whether it fits your experience: what rings "
        "true, what is missing, what you would describe differently. Write in the box under each theme "
        "next to the item number (T1, T1-Q2, ...), or add Word comments anywhere.")
    document.add_paragraph("Quotes are shortened where marked [...]; names and places are replaced by their "
                           "role in square brackets. Each quote is attributed by stakeholder group and number only.")
    for theme in summary["themes"]:
        document.add_heading(f"{theme['id']}. {theme['name']}", level=1)
        _meta(document.add_paragraph(), f"Item {theme['id']} · {theme['scope_text']}")
        for text in (theme["description"], theme["convergence_text"]):
            if text:
                document.add_paragraph(text)
        document.add_heading("What the theme covers", level=2)
        for code in theme["codes"]:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(code["label"]).bold = True
            paragraph.add_run(f" ({code['kind']}): {code['definition']}")
        if theme["quotes"]:
            document.add_heading("Illustrative quotes", level=2)
        for quote in theme["quotes"]:
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(f"“{quote['text']}”").italic = True
            paragraph.add_run(f"  {quote['attribution']} · {quote['id']}").italic = False
        _comment_table(document, [theme["id"], *(q["id"] for q in theme["quotes"])])
    document.add_heading("Anything else", level=1)
    _comment_table(document, [GENERAL_ITEM])
    return document


def _meta(paragraph, text: str) -> None:
    run = paragraph.add_run(text)
    run.font.size, run.font.color.rgb = Pt(9), RGBColor(0x57, 0x60, 0x6A)


def _comment_table(document, ids: list[str]) -> None:
    table = document.add_table(rows=1 + len(ids), cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, DOCX_TABLE_HEADER, strict=True):
        cell.text = text
    for row, item in zip(table.rows[1:], ids, strict=True):
        row.cells[0].text = item


def write_member_check(summary: dict, folder: str | Path, *, generated: str = "") -> dict[str, Path]:
    """Write ``member-check.html``, ``member-check.docx`` and the comments template, atomically."""
    folder = Path(folder)
    paths = {"html": folder / "member-check.html", "docx": folder / "member-check.docx",
             "template": folder / summary["template_name"]}
    io.write_text(paths["html"], render_html(summary, generated=generated))
    with io.atomic_path(paths["docx"]) as tmp:
        build_docx(summary).save(str(tmp))
    io.write_csv(paths["template"], comment_template(summary))
    return paths


# --- comments back --------------------------------------------------------------------------------

def read_comments(path: str | Path, *, reviewer: str = "", commented_on: str = "") -> pd.DataFrame:
    """Comments from a filled-in template (``.csv``, ``.yaml``) or an edited ``.docx``.

    Returns document_id, item_id, comment, reviewer, commented_on, line (where in the file).
    Rows without a comment are dropped; *reviewer* and *commented_on* fill in what the file
    does not say.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(Errors.E001.format(path=path, hint="Give the filled-in template or the edited .docx."))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = io.read_csv(path, required=("item_id", "comment"))
        frame = frame.rename(columns={"_line": "line"})
    elif suffix in (".yaml", ".yml"):
        frame = _yaml_comments(path)
    elif suffix == ".docx":
        frame = _docx_comments(path)
    else:
        raise DataError(Errors.E602.format(path=path, suffix=path.suffix))
    for column in ("document_id", "reviewer", "commented_on"):
        if column not in frame.columns:
            frame[column] = ""
    frame["comment"] = frame["comment"].fillna("").astype(str).str.strip()
    frame = frame[frame["comment"] != ""].copy()
    frame["reviewer"] = frame["reviewer"].replace("", reviewer) if reviewer else frame["reviewer"]
    frame["commented_on"] = frame["commented_on"].replace("", commented_on) if commented_on else frame["commented_on"]
    return frame[["document_id", "item_id", "comment", "reviewer", "commented_on", "line"]].reset_index(drop=True)


def _yaml_comments(path: Path) -> pd.DataFrame:
    """YAML: ``{document_id, reviewer, commented_on, comments: {item_id: text, ...}}`` or a list."""
    data = io.read_yaml(path) or {}
    if not isinstance(data, dict) or "comments" not in data:
        raise DataError(Errors.E605.format(path=path, detail="expected a mapping with a 'comments' key"))
    entries = data["comments"]
    if isinstance(entries, dict):
        entries = [{"item_id": k, "comment": v} for k, v in entries.items()]
    rows = []
    for n, entry in enumerate(entries or [], start=1):
        if not isinstance(entry, dict) or "item_id" not in entry:
            raise DataError(Errors.E605.format(path=path, detail=f"comment {n} has no item_id"))
        rows.append({"document_id": str(data.get("document_id", "")), "item_id": str(entry["item_id"]),
                     "comment": str(entry.get("comment") or ""),
                     "reviewer": str(entry.get("reviewer") or data.get("reviewer") or ""),
                     "commented_on": str(entry.get("commented_on") or data.get("commented_on") or ""),
                     "line": f"comment {n}"})
    return pd.DataFrame(rows, columns=["document_id", "item_id", "comment", "reviewer", "commented_on", "line"])


def _docx_comments(path: Path) -> pd.DataFrame:
    """The comment tables of the member-check document, and any Word review comments."""
    try:
        document = docx.Document(str(path))
    except (OpcError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise DataError(Errors.E605.format(path=path, detail=f"not a Word document: {error}")) from None
    props = document.core_properties
    document_id = props.identifier or ""
    if not document_id.startswith("MC-"):
        raise DataError(Errors.E605.format(path=path, detail="no member-check document id in its properties"))
    author = props.last_modified_by if props.last_modified_by not in ("", "thematic", "python-docx") else ""
    when = props.modified.date().isoformat() if props.modified else ""
    rows = []
    for t, table in enumerate(document.tables, start=1):
        cells = [[c.text.strip() for c in row.cells] for row in table.rows]
        if not cells or tuple(cells[0][:2]) != DOCX_TABLE_HEADER:
            continue
        for r, row in enumerate(cells[1:], start=2):
            rows.append({"item_id": row[0], "comment": "\n".join(row[1:]).strip(), "reviewer": author,
                         "commented_on": when, "line": f"comment table {t}, row {r}"})
    for n, comment in enumerate(getattr(document, "comments", []) or [], start=1):
        text = "\n".join(p.text for p in comment.paragraphs).strip()
        stamp = comment.timestamp.date().isoformat() if getattr(comment, "timestamp", None) else when
        rows.append({"item_id": GENERAL_ITEM, "comment": text, "reviewer": comment.author or author,
                     "commented_on": stamp, "line": f"Word comment {n}"})
    frame = pd.DataFrame(rows, columns=["item_id", "comment", "reviewer", "commented_on", "line"])
    frame["document_id"] = document_id
    return frame


def valid_item(item_id: str, codebook: Codebook) -> bool:
    """Whether *item_id* names a theme, a quote of a theme (``T1-Q2``) or ``general``."""
    themes = {t.id for t in codebook.themes}
    match = re.fullmatch(r"(.+)-Q\d+", item_id)
    return item_id == GENERAL_ITEM or item_id in themes or bool(match and match.group(1) in themes)


def record_comments(data_dir: str | Path | Study, source: str | Path, *, codebook: Codebook, reviewer: str = "",
                    commented_on: str = "", again: bool = False, now: datetime | None = None) -> pd.DataFrame:
    """Append the comments in *source* to ``<data_dir>/member-check/comments.csv``.

    Every comment gets an id, the reviewer, the date commented, the time recorded (UTC) and
    the name and SHA-256 of *source*. Nothing is written if any item id is unknown, if the file
    holds no comment, or if the same file was recorded before (unless *again*).
    Returns the rows added.
    """
    source = Path(source)
    study = data_dir if isinstance(data_dir, Study) else Study(data_dir)
    study.check_writable(command="membercheck record", what="member-check/comments.csv")
    comments = read_comments(source, reviewer=reviewer, commented_on=commented_on)
    if comments.empty:
        raise DataError(Errors.E603.format(path=source))
    problems = [Errors.E601.format(path=source, line=row.line, value=row.item_id,
                                   known=f"{GENERAL_ITEM}, theme ids ({', '.join(t.id for t in codebook.themes)}) "
                                         "and quote ids such as T1-Q1")
                for row in comments.itertuples() if not valid_item(row.item_id, codebook)]
    if problems:
        raise DataError(problems)
    target = study.comments_file
    existing = (io.read_csv(target).drop(columns="_line") if target.exists()
                else pd.DataFrame(columns=COMMENT_COLUMNS))
    sha = io.sha256_file(source)
    earlier = existing[existing["source_sha256"] == sha]
    if len(earlier) and not again:
        raise DataError(Errors.E604.format(path=source, when=earlier["recorded_at"].iloc[0], sha=sha[:12]))
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    start = len(existing) + 1
    added = comments.assign(
        comment_id=[f"C{n:04d}" for n in range(start, start + len(comments))],
        recorded_at=stamp, source_file=source.name, source_sha256=sha)[COMMENT_COLUMNS]
    with study.transaction() as transaction:
        transaction.write_csv(target, pd.concat([existing[COMMENT_COLUMNS], added], ignore_index=True))
    return added


def recorded_comments(data_dir: str | Path | Study) -> pd.DataFrame:
    """The comments recorded so far (empty when there are none)."""
    target = (data_dir if isinstance(data_dir, Study) else Study(data_dir)).comments_file
    if not target.exists():
        return pd.DataFrame(columns=COMMENT_COLUMNS)
    return io.read_csv(target).drop(columns="_line")


def published_comments(dataset) -> pd.DataFrame:
    """The recorded comments as a report shows them (:mod:`thematic.disclosure`).

    Each comment is de-identified with every known name of the study (a stakeholder writes
    about colleagues and families); the reviewer, a participant of the study, is withheld as
    ``reviewer 1``, ``reviewer 2``...; the name of the file the comments came from is left out
    (its SHA-256 stays). *dataset* is a :class:`thematic.dataset.Dataset`.
    """
    from thematic.disclosure import pseudonyms

    comments = recorded_comments(dataset.study).drop(columns=["source_file"])
    if comments.empty:
        return comments
    comments["comment"] = dataset.publication_screen().mask_all(list(comments["comment"]))
    comments["reviewer"] = pseudonyms(list(comments["reviewer"]), role="reviewer")
    return comments


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")
