"""A company on disk: one CSV per table plus ``company.json``, written whole or not at all, and read back
with every problem listed at once."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.company import COURSE_COMPANIES, GRADED_COMPANIES, Company, DataValidationError
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
            out[column.name] = np.where(values.astype(bool), "true", "false")
        else:
            out[column.name] = values.astype("string").fillna("")
    return pd.DataFrame(out)


def check_writable(folder: str | os.PathLike[str], force: bool, *, imported: bool = False,
                   inputs: tuple[str | os.PathLike[str], ...] = ()) -> Path:
    """The folder to write to, or an error saying in plain words why it may not be written.

    Args:
        folder: the company folder to write; it need not exist yet.
        force: whether a folder that holds files may be replaced (only where the rules below allow it).
        imported: whether the company comes from ``smarketing workshop import``; ``force`` then never
            replaces a course company, nor a folder that no earlier import wrote (an import's
            ``company.json`` has an ``"import"`` entry).
        inputs: the files the data is read from; ``force`` never replaces a folder that holds one of them.

    Returns:
        ``folder`` as a :class:`~pathlib.Path`, safe to write.

    Raises:
        FileExistsError: the folder holds anything and ``force`` is false; or ``force`` would delete
            something nobody means to replace: the current folder or a folder above it, the datasets
            root, a folder holding one of the ``inputs``, and for an ``imported`` company a course
            company or a folder no import wrote.
        NotADirectoryError: a file stands where a folder on the way to ``folder`` should be.
        PermissionError: the folder cannot be created there.
    """
    target = Path(folder)
    nearest = next(p for p in (target.absolute(), *target.absolute().parents) if p.exists() or p.is_symlink())
    if nearest != target.absolute() and not nearest.is_dir():
        raise NotADirectoryError(_("{folder} cannot be created: {file} is a file, not a folder. Choose another "
                                   "output folder.", folder=target, file=nearest))
    if nearest != target.absolute() and not os.access(nearest, os.W_OK | os.X_OK):
        raise PermissionError(_("{folder} cannot be created: {parent} is not writable. Choose a folder you can "
                                "write to, such as datasets/acme.", folder=target, parent=nearest))
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        return target
    if not force:
        raise FileExistsError(_("{folder} already exists and is not empty; nothing was written. Choose another "
                                "folder, or pass --force to replace its files.", folder=target))
    resolved, here, root = target.resolve(), Path.cwd().resolve(), datasets_dir().resolve()

    def refuse(reason: str) -> FileExistsError:
        return FileExistsError(_("{folder} was not replaced: {reason} Nothing was written; choose a new folder, "
                                 "such as datasets/acme.", folder=target, reason=reason))

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
        failure half-way leaves it as it was.

    Raises:
        FileExistsError: see :func:`check_writable`.
        NotADirectoryError: see :func:`check_writable`.
        PermissionError: the folder cannot be created.
    """
    target = check_writable(folder, force, imported="import" in params, inputs=inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and swap at the end, so a failure half-way never leaves half a company.
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as error:
        raise PermissionError(_("{folder} cannot be created ({reason}). Choose a folder you can write to, such "
                                "as datasets/acme.", folder=target, reason=error.strerror or error)) from error
    staging.chmod(0o755)
    replaced = staging.with_name(staging.name + ".old")
    try:
        for name, frame in tables.items():
            text = _as_text(schema.TABLES[name], frame)
            with open(staging / schema.TABLES[name].file, "w", encoding="utf-8", newline="") as handle:
                for begin in range(0, max(len(text), 1), chunk_rows):
                    text.iloc[begin:begin + chunk_rows].to_csv(handle, index=False, header=begin == 0,
                                                               lineterminator="\n")
                    if on_rows:
                        on_rows(min(chunk_rows, len(text) - begin))
        (staging / "company.json").write_text(json.dumps(params, indent=2, sort_keys=True) + "\n",
                                              encoding="utf-8")
        if target.exists() or target.is_symlink():
            os.replace(target, replaced)  # two renames: the old folder is whole until the new one is in place
        try:
            os.replace(staging, target)
        except OSError:
            if replaced.exists() or replaced.is_symlink():
                os.replace(replaced, target)
            raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        shutil.rmtree(replaced) if replaced.is_dir() and not replaced.is_symlink() else replaced.unlink(missing_ok=True)
    return target


def datasets_dir() -> Path:
    """The folder of the committed datasets: $SMARKETING_DATA, or the repository's datasets/ folder."""
    if os.environ.get("SMARKETING_DATA"):
        return Path(os.environ["SMARKETING_DATA"])
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "datasets" / "lumen" / "company.json").exists():
                return folder / "datasets"
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
        frame, found = schema.parse_table(table, raw)
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
