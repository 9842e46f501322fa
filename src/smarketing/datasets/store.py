"""A company on disk: one CSV per table plus ``company.json``, written whole or not at all, and read back
with every problem listed at once."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.company import (
    COURSE_COMPANIES,
    GRADED_COMPANIES,
    Company,
    DataValidationError,
)
from smarketing.messages import _


def _as_text(table: schema.Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The exact text written to CSV: ISO dates, fixed decimals, empty cells for missing values."""
    out = {}
    for column in table.columns:
        values = frame[column.name]
        if column.kind in ("datetime", "date"):
            raw = values.to_numpy(dtype="datetime64[s]")
            text = np.datetime_as_string(raw, unit="m" if column.kind == "datetime" else "D")
            out[column.name] = np.where(np.isnat(raw), "", text)
        elif column.kind == "float":
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            out[column.name] = np.where(np.isnan(numbers), "", np.char.mod("%.2f", np.nan_to_num(numbers)))
        elif column.kind == "bool":
            known = values.notna().to_numpy(dtype=bool)
            out[column.name] = np.where(known, np.where(values.fillna(False).astype(bool), "true", "false"), "")
        else:
            cells = values.astype("string").fillna("")
            if cells.str.contains("\r", regex=False).any():
                # A bare carriage return ends the row for every CSV reader, and Python's csv writer does not
                # quote it (it quotes only the "\n" it ends lines with): write line breaks in a cell as "\n".
                cells = cells.str.replace("\r\n?", "\n", regex=True)
            out[column.name] = cells
    return pd.DataFrame(out)


WRITTEN = ".smarketing-written.json"
"""The manifest of what smarketing wrote into a folder, ``{"by": command, "files": {name: sha256}}``: an import
keeps one beside ``company.json``, ``smarketing workshop run`` one beside its reports. ``--force`` replaces only
the files it names (changed or not: they are the command's own output), so nothing a facilitator put beside them
is ever deleted or overwritten."""

COMPANY_FILES = frozenset({*(table.file for table in schema.TABLES.values()), "company.json"})
"""What an import wrote into its folder before imports kept a manifest (:data:`WRITTEN`): such a folder's other
files are the facilitator's."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):  # a 500,000-row CSV is never read whole
            digest.update(block)
    return digest.hexdigest()


def written_files(folder: str | os.PathLike[str]) -> dict[str, str] | None:
    """The files smarketing recorded writing into ``folder``, by name, each with its sha256 when written; None
    when the folder has no readable manifest (:data:`WRITTEN`)."""
    try:
        data = json.loads((Path(folder) / WRITTEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    return {str(name): str(digest) for name, digest in files.items()} if isinstance(files, dict) else None


def record_written(folder: str | os.PathLike[str], names: Iterable[str | os.PathLike[str]], *, by: str) -> Path:
    """Record in ``folder``'s manifest (:data:`WRITTEN`) that ``by`` (a command) wrote ``names``, with their sha256.

    Args:
        folder: the folder written.
        names: the files written: names, or paths directly inside ``folder``. A name with no file (such as a
            cover page this run did not write) is skipped, so only what is really there is ever recorded.
        by: the command that wrote them, e.g. ``"smarketing workshop run"``.

    Returns:
        The manifest's path. Files recorded earlier stay recorded while they are there (a run of one notebook
        into an earlier run's folder keeps the other reports its own).
    """
    folder = Path(folder)
    files = {name: digest for name, digest in (written_files(folder) or {}).items() if (folder / name).is_file()}
    for name in names:
        given = Path(name)
        path = folder / given if len(given.parts) == 1 else given
        if path.name.startswith(WRITTEN) or not path.is_file() or path.parent.resolve() != folder.resolve():
            continue
        files[path.name] = _sha256(path)
    manifest = folder / WRITTEN
    draft = manifest.with_name(WRITTEN + ".tmp")  # replaced whole: a crash never leaves half a manifest
    draft.write_text(json.dumps({"by": by, "files": dict(sorted(files.items()))}, indent=2) + "\n", encoding="utf-8")
    os.replace(draft, manifest)
    return manifest


def foreign_files(folder: str | os.PathLike[str], known: Iterable[str] = ()) -> list[Path]:
    """What in ``folder`` smarketing did not write, which ``--force`` must never delete or overwrite.

    Args:
        folder: the folder to look into; one that does not exist holds nothing.
        known: for a folder written before manifests were kept (no :data:`WRITTEN`), the names its command
            wrote (for an import, :data:`COMPANY_FILES`); everything else there is foreign.

    Returns:
        Each entry of ``folder``, file or folder, not named in its manifest (or in ``known``), sorted by name.
        A folder is always foreign: smarketing writes only files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    recorded = written_files(folder)
    ours = set(known if recorded is None else recorded)
    return sorted(entry for entry in folder.iterdir()
                  if not entry.name.startswith(WRITTEN) and (entry.name not in ours or entry.is_dir()))


def refuse_foreign(folder: str | os.PathLike[str], *, by: str, known: Iterable[str] = (),
                   example: str = "datasets/acme") -> None:
    """Raise FileExistsError naming up to five files in ``folder`` that ``by`` did not write (:func:`foreign_files`).

    Args:
        folder: the folder ``--force`` would replace.
        by: the command whose own files may be replaced, e.g. ``"smarketing workshop import"``.
        known: see :func:`foreign_files`.
        example: a folder to suggest instead, such as ``results/acme``.
    """
    foreign = foreign_files(folder, known)
    if not foreign:
        return
    names = ", ".join(entry.name + ("/" if entry.is_dir() else "") for entry in foreign[:5])
    more = _(" and {count} more", count=len(foreign) - 5) if len(foreign) > 5 else ""
    raise FileExistsError(_(
        "{folder} was not replaced: it holds {count} file(s) that `{by}` did not write ({names}{more}), and --force "
        "only replaces what it wrote. Nothing was written; move them out of {folder} and run again, or choose a new "
        "folder, such as {example}.", folder=folder, count=len(foreign), by=by, names=names, more=more,
        example=example))


# CSV injection (OWASP): a spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(…), @SUM(…), +cmd|…), and facilitators open a company's CSV files in Excel. A text or id cell
# that starts with one of them, after any number of single quotes, is written with one more quote in front:
# Excel and LibreOffice then show it as text and hide that quote. The loader takes exactly one quote off a
# cell that starts with quotes followed by one of them, so every value, '=x included (written ''=x), reads
# back as it was. Numbers and dates are never touched: -5 stays -5.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_KINDS = ("id", "text")
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_ADDED_QUOTE = re.compile(r"'+[=+\-@\t\r]")


def _starting(values: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    """Whether each cell starts with ``pattern``; the cheap first-character test spares the regex almost
    every cell (a million ids are checked in a blink)."""
    maybe = values.str.startswith((*FORMULA_STARTS, "'"), na=False).astype(bool)
    if not maybe.any():
        return maybe
    return maybe & values.where(maybe).str.match(pattern, na=False).astype(bool)


def neutralise_formulas(table: schema.Table, text: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """``text`` (from :func:`_as_text`) with every text or id cell a spreadsheet would run as a formula
    quoted (see FORMULA_STARTS above), and how many cells were quoted in each column that had any."""
    counts: dict[str, int] = {}
    out = text
    for column in table.columns:
        if column.kind not in _QUOTED_KINDS or column.name not in text.columns:
            continue
        hit = _starting(text[column.name].astype("string"), _NEEDS_QUOTE)
        if hit.any():
            if out is text:
                out = text.copy()
            out[column.name] = out[column.name].astype("string").mask(hit, "'" + out[column.name].astype("string"))
            counts[column.name] = int(hit.sum())
    return out, counts


def restore_formulas(table: schema.Table, raw: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`neutralise_formulas` on a table read as text: the one quote it added, taken off."""
    for column in table.columns:
        if column.kind not in _QUOTED_KINDS or column.name not in raw.columns:
            continue
        values = raw[column.name]
        added = _starting(values.astype("string"), _ADDED_QUOTE)
        if added.any():
            raw[column.name] = values.mask(added, values.where(added).str[1:])
    return raw


def _formula_note(params: dict, counts: dict[tuple[str, str], int]) -> dict:
    """``params`` with a note, in an import's record, on the cells :func:`neutralise_formulas` quoted (their
    number by file and column)."""
    if not counts or "import" not in params:
        return params
    where = "; ".join(_("{count} in {file}, column {column}", count=f"{count:,}", file=file, column=column)
                      for (file, column), count in counts.items())
    note = _("{count} text cell(s) begin with =, +, -, @, a tab or a carriage return, which a spreadsheet would run "
             "as a formula: {where}. The CSV files hold them with a single quote in front (OWASP's defence against "
             "CSV injection), so Excel shows them as text; smarketing reads them back unchanged. Nothing to do.",
             count=f"{sum(counts.values()):,}", where=where)
    return {**params, "import": {**params["import"], "notes": [*params["import"].get("notes", []), note]}}


def check_writable(folder: str | os.PathLike[str], force: bool, *, imported: bool = False,
                   inputs: tuple[str | os.PathLike[str], ...] = (), example: str = "datasets/acme") -> Path:
    """The folder to write to, or an error saying in plain words why it may not be written.

    Args:
        folder: the company folder to write; it need not exist yet.
        force: whether a folder that holds files may be replaced (only where the rules below allow it).
        imported: whether the company comes from ``smarketing workshop import``; ``force`` then never
            replaces a course company, nor a folder that no earlier import wrote (an import's
            ``company.json`` has an ``"import"`` entry), nor one that holds anything else than what that
            import wrote (:func:`foreign_files`: the facilitator's notes and results are never deleted).
        inputs: the files the data is read from; ``force`` never replaces a folder that holds one of them.
        example: the kind of folder to suggest instead, in messages (``results/acme`` for reports).

    Returns:
        ``folder`` as a :class:`~pathlib.Path`, safe to write.

    Raises:
        FileExistsError: the folder holds anything and ``force`` is false; or ``force`` would delete
            something nobody means to replace: the current folder or a folder above it, the datasets
            root, a folder holding one of the ``inputs``, and for an ``imported`` company a course
            company, a folder no import wrote or one holding files no import wrote.
        NotADirectoryError: ``folder`` is a file, or a file stands where a folder on the way to it should be.
        PermissionError: the folder cannot be created there.
    """
    target = Path(folder)
    nearest = next(p for p in (target.absolute(), *target.absolute().parents) if p.exists() or p.is_symlink())
    if nearest != target.absolute() and not nearest.is_dir():
        raise NotADirectoryError(_("{folder} cannot be created: {file} is a file, not a folder. Choose another "
                                   "output folder.", folder=target, file=nearest))
    if nearest != target.absolute() and not os.access(nearest, os.W_OK | os.X_OK):
        raise PermissionError(_("{folder} cannot be created: {parent} is not writable. Choose a folder you can "
                                "write to, such as {example}.", folder=target, parent=nearest, example=example))
    if target.exists() and not target.is_dir():  # not "a folder that is not empty": that would send them looking
        raise NotADirectoryError(_("{folder} is a file, not a folder; nothing was written. Choose a folder, such as "
                                   "{example}.", folder=target, example=example))
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        return target
    if not force:
        raise FileExistsError(_("{folder} already exists and is not empty; nothing was written. Choose another "
                                "folder, or pass --force to replace its files.", folder=target))
    resolved, here, root = target.resolve(), Path.cwd().resolve(), datasets_dir().resolve()

    def refuse(reason: str) -> FileExistsError:
        return FileExistsError(_("{folder} was not replaced: {reason} Nothing was written; choose a new folder, "
                                 "such as {example}.", folder=target, reason=reason, example=example))

    if resolved == here or resolved in here.parents:
        raise refuse(_("it is the current folder or holds it, and --force would delete all of it."))
    if resolved == root or resolved in root.parents:
        raise refuse(_("it holds the course datasets ({root}), and --force would delete them.", root=root))
    held = [Path(f) for f in inputs if Path(f).resolve().is_relative_to(resolved)]
    if held:
        raise refuse(_("it holds {file}, one of the files to import.", file=held[0]))
    if imported and resolved.parent == root and resolved.name in COURSE_COMPANIES + GRADED_COMPANIES:
        raise refuse(_("{name} is a course company; an import never replaces it.", name=resolved.name))
    if imported:
        try:
            written = json.loads((resolved / "company.json").read_text(encoding="utf-8"))
            earlier = isinstance(written, dict) and "import" in written
        except (OSError, ValueError):
            earlier = False
        if not earlier:
            raise refuse(_("--force only replaces a folder written by an earlier `smarketing workshop import` "
                           "(its company.json says so), and this one was not. Empty it yourself if you mean it."))
        # Only what that import wrote (its manifest, or a company's files before manifests were kept) is replaced.
        refuse_foreign(target, by="smarketing workshop import", known=COMPANY_FILES, example=example)
    return target


def write_company(tables: dict[str, pd.DataFrame], params: dict, folder: str | os.PathLike[str],
                  force: bool = False, chunk_rows: int = 100_000,
                  on_rows: Callable[[int], None] | None = None,
                  inputs: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """Write a company's tables as CSV files, and its parameters as ``company.json``, into ``folder``.

    Args:
        tables: the DataFrames to write, by table name (:data:`smarketing.schema.TABLES`).
        params: what ``company.json`` holds: a generated company's true parameters, or an import's record
            (with an ``"import"`` entry).
        folder: the company folder to write.
        force: whether an existing, non-empty folder may be replaced; even then only a folder that
            :func:`check_writable` allows (an import only ever replaces an earlier import), so nobody's
            data is overwritten by accident.
        chunk_rows: how many rows are formatted and written at a time, which bounds the memory a big
            company needs.
        on_rows: called with the number of rows just written (for progress bars).
        inputs: the files the data was read from, whose folders ``force`` never replaces.

    Returns:
        The folder written, whole: the files are written beside it and swapped in at the end, so a
        failure half-way leaves it as it was. An import also records what it wrote (:data:`WRITTEN`), which
        is all a later ``force`` may replace; a file that appears in the folder meanwhile is carried over.

    Raises:
        FileExistsError: see :func:`check_writable`.
        NotADirectoryError: see :func:`check_writable`.
        PermissionError: the folder cannot be created.
    """
    imported = "import" in params
    target = check_writable(folder, force, imported=imported, inputs=inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and swap at the end, so a failure half-way never leaves half a company.
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as error:
        raise PermissionError(_("{folder} cannot be created ({reason}). Choose a folder you can write to, such "
                                "as datasets/acme.", folder=target, reason=error.strerror or error)) from error
    staging.chmod(0o755)
    replaced = staging.with_name(staging.name + ".old")
    swapped = False
    quoted: dict[tuple[str, str], int] = {}  # cells quoted against CSV injection, by file and column
    try:
        for name, frame in tables.items():
            table = schema.TABLES[name]
            with open(staging / table.file, "w", encoding="utf-8", newline="") as handle:
                for begin in range(0, max(len(frame), 1), chunk_rows):  # one chunk's text at a time in memory
                    text, counts = neutralise_formulas(table, _as_text(table, frame.iloc[begin:begin + chunk_rows]))
                    for column, n in counts.items():
                        quoted[(table.file, column)] = quoted.get((table.file, column), 0) + n
                    text.to_csv(handle, index=False, header=begin == 0, lineterminator="\n")
                    if on_rows:
                        on_rows(min(chunk_rows, len(frame) - begin))
        params = _formula_note(params, quoted)  # the import's notes say which cells were quoted
        (staging / "company.json").write_text(json.dumps(params, indent=2, sort_keys=True) + "\n",
                                              encoding="utf-8")
        if imported:  # what a later --force may replace, and nothing else (see check_writable)
            record_written(staging, [*(schema.TABLES[name].file for name in tables), "company.json"],
                           by="smarketing workshop import")
        if target.exists() or target.is_symlink():
            os.replace(target, replaced)  # two renames: the old folder is whole until the new one is in place
        try:
            os.replace(staging, target)
        except OSError:
            if replaced.exists() or replaced.is_symlink():
                os.replace(replaced, target)
            raise
        swapped = True
        if imported and replaced.is_dir() and not replaced.is_symlink():
            # A file put into the old folder after check_writable looked is carried over, never deleted.
            for entry in foreign_files(replaced, COMPANY_FILES):
                if not (target / entry.name).exists():  # else it stays in the old folder, which is then kept
                    os.replace(entry, target / entry.name)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        if replaced.is_symlink() or replaced.is_file():
            replaced.unlink()
        elif replaced.is_dir() and swapped and not (imported and foreign_files(replaced, COMPANY_FILES)):
            shutil.rmtree(replaced)  # the old company, now replaced; kept whole if the swap did not happen
    return target


def datasets_dir() -> Path:
    """The folder of the committed datasets: $SMARKETING_DATA; else the repository's datasets/ folder, above
    the working folder or the library; else the copy installed with the package (``smarketing/data``, a link
    to datasets/ in the repository, so that ``pip install`` of the course carries its data to a hub's
    learners and a cluster's workers)."""
    if os.environ.get("SMARKETING_DATA"):
        return Path(os.environ["SMARKETING_DATA"])
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "datasets" / "lumen" / "company.json").exists():
                return folder / "datasets"
    installed = Path(__file__).resolve().parents[1] / "data"
    if (installed / "lumen" / "company.json").exists():
        return installed
    return Path.cwd() / "datasets"


def _read_text_table(path: Path) -> pd.DataFrame | schema.Problem:
    """Read a CSV with every cell as text, or say in plain words why it cannot be read."""
    try:
        raw_bytes = path.read_bytes()
        raw_bytes.decode("utf-8")
    except UnicodeDecodeError as error:
        return schema.Problem(path.name, "", (), _(
            "the file is not UTF-8 text (byte {position} cannot be read). Save it again as 'CSV UTF-8' "
            "(in Excel: Save As > CSV UTF-8).", position=error.start))
    if not raw_bytes.strip():
        return schema.Problem(path.name, "", (), _("the file is empty. Export it again with a header row."))
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (pd.errors.ParserError, ValueError) as error:
        return schema.Problem(path.name, "", (), _(
            "the file is not a readable CSV ({detail}). Check that it is comma-separated with one header row.",
            detail=str(error).splitlines()[0]))


def read_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], list[schema.Problem], tuple[str, ...]]:
    """Read and type every table of a folder; collect every problem instead of stopping at the first."""
    tables: dict[str, pd.DataFrame] = {}
    problems: list[schema.Problem] = []
    missing: list[str] = []
    for table in schema.TABLES.values():
        path = folder / table.file
        if not path.exists():
            if table.optional:
                missing.append(table.name)
                tables[table.name] = parse_empty(table)
            else:
                problems.append(schema.Problem(table.file, "", (), _(
                    "the file is missing from {folder}. Generate the company again with `smarketing generate` "
                    "or copy the file in.", folder=folder)))
            continue
        raw = _read_text_table(path)
        if isinstance(raw, schema.Problem):
            problems.append(raw)
            continue
        frame, found = schema.parse_table(table, restore_formulas(table, raw))
        problems += found
        tables[table.name] = frame
    if not problems:
        problems += schema.check_references(tables)
    return tables, problems, tuple(missing)


def parse_empty(table: schema.Table) -> pd.DataFrame:
    """An empty table with the columns and types the loader gives it, for a table a company does not have."""
    frame, _problems = schema.parse_table(table, pd.DataFrame({c.name: pd.Series([], dtype=str) for c in table.columns}))
    return frame


def load_company(name_or_path: str | os.PathLike[str]) -> Company:
    """Load a company by name (``"lumen"``, ``"ferro"``, ``"bloom"``) or from a folder of CSV files.

    A relative path or name is looked up in this order, the first existing folder winning: the
    current folder; the repository root (the parent of :func:`datasets_dir`), so that
    ``"datasets/acme"`` works from a notebook in ``course/`` or the Voilà app in ``workshop/``; and
    :func:`datasets_dir` itself, so that ``"lumen"`` or ``"acme"`` works anywhere.

    Returns a :class:`Company` whose tables are typed DataFrames (dates parsed, categories typed).
    Raises :class:`DataValidationError` listing every problem (file, column, lines, how to fix) if
    the data does not fit the schema.
    """
    text = str(name_or_path)
    path = Path(text)
    candidates = [path] if path.is_absolute() else [path, datasets_dir().parent / path, datasets_dir() / path]
    folder = next((c for c in candidates if c.is_dir()), None)
    if folder is None:
        raise DataValidationError(text, [schema.Problem(text, "", (), _(
            "no such company or folder. Use one of {known}, or the path of a folder of CSV files "
            "(looked in {where}).", known=", ".join(COURSE_COMPANIES + GRADED_COMPANIES), where=", ".join(map(str, candidates))))])
    tables, problems, missing = read_folder(folder)
    if problems:
        raise DataValidationError(str(folder), problems)
    params_path = folder / "company.json"
    params = json.loads(params_path.read_text(encoding="utf-8")) if params_path.exists() else {}
    return Company(name=params.get("name", folder.name), folder=folder, tables=tables, params=params,
                   missing=missing)
