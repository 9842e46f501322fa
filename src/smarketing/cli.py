"""The ``smarketing`` command: generate and validate datasets, release and grade the exercises."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from smarketing import datasets, grading  # grading's face is light: nbgrader loads when grading starts
from smarketing.grading import lms
from smarketing.messages import LANGUAGES, _

PROGRESS_FROM_LEADS = 100_000  # below this, generation takes a blink and a bar is noise


def _generate(args: argparse.Namespace) -> int:
    graded = list(datasets.GRADED_COMPANIES)
    names = {"all": [*datasets.COMPANIES, *graded], "graded": graded}.get(args.company, [args.company])
    for name in names:
        if args.out is None:
            out = datasets.datasets_dir() / name
        else:
            out = Path(args.out) / name if args.company in ("all", "graded") else Path(args.out)
        try:
            datasets.check_writable(out, args.force)  # before generating: fail fast, not after a minute
        except OSError as error:  # an existing folder, or one that cannot be created: the message says which
            print(error, file=sys.stderr)
            return 1
        size = args.size
        show = (size or 0) >= PROGRESS_FROM_LEADS or args.progress
        with tqdm(desc=_("{name}: generating", name=name), unit=_("step"), disable=not show,
                  leave=False) as steps:
            tables, params = datasets.generate_company(name, seed=args.seed, size=size, cohort=args.cohort,
                                                       progress=lambda label: steps.set_postfix_str(label) or steps.update())
        rows = sum(len(t) for t in tables.values())
        try:
            with tqdm(total=rows, desc=_("{name}: writing", name=name), unit=_("rows"), unit_scale=True,
                      disable=not show) as bar:
                datasets.write_company(tables, params, out, force=args.force, on_rows=bar.update)
        except OSError as error:  # a folder that looked writable but is not (/proc, a full disk)
            print(error, file=sys.stderr)
            return 1
        print(_("{name}: {rows} rows in {count} tables written to {folder}", name=name, rows=f"{rows:,}",
                count=len(tables), folder=out))
    return 0


def _validate(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        folder = datasets.datasets_dir() / args.folder
    if not folder.is_dir():
        print(_("{folder}: no such folder.", folder=args.folder), file=sys.stderr)
        return 2
    tables, problems, missing = datasets.read_folder(folder)
    if problems:
        print(_("{folder}: {count} problem(s):", folder=folder, count=len(problems)))
        for problem in problems:
            print(f"  - {problem}")
        return 1
    rows = sum(len(t) for t in tables.values())
    try:  # an import writes empty tables for what its export lacks, and lists them in company.json
        imported = json.loads((folder / "company.json").read_text(encoding="utf-8")).get("import", {})
    except (OSError, ValueError, AttributeError):
        imported = {}
    missing = tuple(dict.fromkeys([*missing, *imported.get("missing", [])]))
    note = _(" (no {tables})", tables=", ".join(missing)) if missing else ""
    print(_("{folder}: valid, {rows} rows in {count} tables{note}.", folder=folder, rows=f"{rows:,}",
            count=len(tables) - len(missing), note=note))
    return 0


def _modules(args: argparse.Namespace) -> int:
    from smarketing import manifest

    try:
        course = manifest.load(Path(args.course) if args.course else None)
    except manifest.ManifestError as error:
        print(error, file=sys.stderr)
        return 2
    print(_("{title}: {count} modules, about {hours:.1f} hours, and {exercises:.1f} more for their exercises",
            title=course.title, count=len(course.modules), hours=sum(m.minutes for m in course.modules) / 60,
            exercises=sum(m.exercise_minutes for m in course.modules) / 60))
    for module in course.modules:
        apps = ", ".join(module.apps) or "-"
        print(f"{module.id}  {module.title:<28} {module.minutes:>3} + {module.exercise_minutes:>3} min  {module.notebook:<32} "
              f"{module.assignment:<18} {apps}")
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    print(datasets.write_readme(args.out))
    return 0


def _course(args: argparse.Namespace) -> Path:
    return Path(args.course).resolve() if args.course else datasets.datasets_dir().parent


def _release(args: argparse.Namespace) -> int:
    if args.cohort:  # the graded companies of this cohort, where learners and the grader read the data
        for name in datasets.GRADED_COMPANIES:
            out = datasets.datasets_dir() / name
            tables, params = datasets.generate_company(name, cohort=args.cohort)
            datasets.write_company(tables, params, out, force=True)
            print(_("{name}: drawn for cohort {cohort} into {folder}", name=name, cohort=args.cohort, folder=out))
    course = grading.gradebook.edition(_course(args), args.lang)  # a translation's: a course folder of its own
    if args.lang != "en" and not (course / "nbgrader_config.py").is_file():
        print(_("No {lang} edition in {folder}: build it first with `make notebooks` (python -m "
                "smarketing.translation build).", lang=args.lang, folder=course), file=sys.stderr)
        return 1
    try:
        for folder in grading.release(course, args.assignments or None):
            print(_("released {folder}", folder=folder))
    except grading.GradingError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _grade(args: argparse.Namespace) -> int:
    course = _course(args)
    with tqdm(desc=_("{name}: grading", name=args.assignment), unit=_("notebooks")) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            results = grading.grade(args.assignment, course, source=Path(args.source) if args.source else None,
                                    jobs=args.jobs, cell_timeout=args.cell_timeout, force=args.force,
                                    progress=progress, sandboxed=not args.no_sandbox, scheduler=args.scheduler,
                                    cluster=args.cluster)
        except grading.GradingError as error:
            bar.close()
            print(error, file=sys.stderr)
            return 1
    for result in sorted(results, key=lambda r: r.student):
        line = f"{result.student}: {result.score:g} / {result.max_score:g}"
        print(line + ("" if not result.problems else "  — " + "; ".join(result.problems)))
    print(_("grades: {csv}; feedback: {feedback}; report: {report}", csv=course / "grades.csv",
            feedback=grading.gradebook.folders(course).feedback,
            report=course / "reports" / f"{args.assignment}.html"))
    return 0


CANVAS_ID_OPTIONS = {"sis-user-id": "SIS User ID", "id": "ID", "sis-login-id": "SIS Login ID"}


def _export(args: argparse.Namespace) -> int:
    try:
        result = lms.export(_course(args), args.lms, Path(args.to) if args.to else None,
                            id_column=CANVAS_ID_OPTIONS[args.lms_id_column] if args.lms_id_column else None)
    except grading.GradingError as error:
        print(error, file=sys.stderr)
        return 1
    if result.unmatched:  # written, but without them: the instructor must know whose grades did not go
        print(_("{count} student(s) left out, without an lms_user_id the platform could match: {students}. Set it "
                "with: nbgrader db student add <id> --lms-user-id=<their LMS id>, then export again.",
                count=len(result.unmatched), students=", ".join(result.unmatched)), file=sys.stderr)
    print(_("wrote {path}: {students} student(s), {count} assignment(s) ({assignments}), to import into {lms}.",
            path=result.path, students=result.students, count=len(result.assignments),
            assignments=", ".join(result.assignments), lms=result.lms.capitalize()))
    return 0


def _workshop_import(args: argparse.Namespace) -> int:
    from smarketing.datasets import availability, crm

    try:
        folder = crm.import_files(args.files, args.out, mapping=args.mapping, force=args.force, name=args.name,
                                  dayfirst=args.dayfirst, strict=args.strict, keep_names=args.keep_names)
    except (OSError, ValueError) as error:  # refused data, mapping or folder: the message says why and what to do
        print(error, file=sys.stderr)
        return 1
    company = datasets.load_company(folder)
    print(_("{name}: {leads} leads and {deals} deals imported into {folder}.", name=company.name,
            leads=f"{len(company.leads):,}", deals=f"{len(company.opportunities):,}", folder=folder))
    print(availability.describe(company))
    for note in company.params["import"].get("notes", []):
        print(_("Note: {note}", note=note))
    return 0


def _workshop_mapping(args: argparse.Namespace) -> int:
    from smarketing.datasets.crm.draft import draft_mapping

    out = Path(args.out)
    if out.exists() and not args.force:
        print(_("{path} already exists; nothing was written. Choose another name with --out, or pass --force to "
                "replace it.", path=out), file=sys.stderr)
        return 1
    try:
        text, needed = draft_mapping(args.files, name=out.stem, path=out)
        out.write_text(text, encoding="utf-8")
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    print(_("wrote {path}: check each line marked 'guessed'{needed}, then import with --mapping {path}.", path=out,
            needed=_(" and fill in {fields}", fields=", ".join(needed)) if needed else ""))
    return 0


def _workshop_run(args: argparse.Namespace) -> int:
    from smarketing import notebooks

    course = datasets.datasets_dir().parent / "course"
    try:
        written = notebooks.run_on_company(args.data, args.out, course, only=args.notebooks, force=args.force,
                                           show_code=args.show_code)
    except notebooks.ModulesStopped as stopped:  # the pages are written; say which module stopped where
        print(stopped, file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:  # bad data, an unknown notebook, an output folder in use
        print(error, file=sys.stderr)
        return 1
    for path in written:
        print(_("wrote {path}", path=path))
    print(_("cover page: {path}", path=Path(args.out) / "index.html"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smarketing", description=_("Smarketing Lab course tools."))
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help=_("generate a synthetic company's CSV files"))
    generate.add_argument("company", choices=[*datasets.COMPANIES, *datasets.GRADED_COMPANIES, "graded", "all"],
                          help=_("a company, 'graded' (the graded work's three) or 'all'"))
    generate.add_argument("--seed", type=int, default=None,
                          help=_("random seed (same seed, same bytes; default: the company's own)"))
    generate.add_argument("--cohort", default=None,
                          help=_("for the graded companies: the cohort of learners they are drawn for, e.g. "
                                 "2027-spring (default: the committed cohort)"))
    generate.add_argument("--size", type=int, default=None, help=_("number of leads (default: the company's own)"))
    generate.add_argument("--out", default=None, help=_("output folder (default: datasets/<company>)"))
    generate.add_argument("--force", action="store_true", help=_("replace an existing folder"))
    generate.add_argument("--progress", action="store_true", help=_("show progress bars even for small sizes"))
    generate.set_defaults(run=_generate)

    validate = commands.add_parser("validate", help=_("check a folder of CSV files against the schema"))
    validate.add_argument("folder", help=_("a company name or a folder of CSV files"))
    validate.set_defaults(run=_validate)

    release = commands.add_parser("release", help=_("make exercises/ from solutions/ with nbgrader"))
    release.add_argument("assignments", nargs="*", help=_("assignments to release (default: all)"))
    release.add_argument("--course", default=None, help=_("course folder (default: this repository)"))
    release.add_argument("--cohort", default=None,
                         help=_("draw the graded companies (argo, vela, tide) anew for this cohort, e.g. 2027-spring, "
                                "into the data folder ($SMARKETING_DATA or datasets/) first"))
    release.add_argument("--lang", default="en", choices=["en", *LANGUAGES],
                         help=_("the edition to release: en (exercises/) or zh_CN (zh_CN/exercises/)"))
    release.set_defaults(run=_release)

    grade = commands.add_parser("grade", help=_("autograde submissions in parallel, with feedback and a report"))
    grade.add_argument("assignment")
    grade.add_argument("--from", dest="source", default=None,
                       help=_("folder or zip of notebooks named by student (default: submitted/)"))
    grade.add_argument("--jobs", type=int, default=None,
                       help=_("parallel graders, or workers of a --cluster (default: one per core)"))
    grade.add_argument("--scheduler", default=None,
                       help=_("grade on a running Dask cluster, at this scheduler address (tcp://host:8786)"))
    grade.add_argument("--cluster", choices=grading.CLUSTERS, default=None,
                       help=_("start a Dask cluster to grade on: on this machine, Kubernetes or Slurm "
                              "(needs pip install 'smarketing[cluster]')"))
    grade.add_argument("--cell-timeout", type=int, default=grading.CELL_TIMEOUT,
                       help=_("seconds a cell may run (default: {seconds})", seconds=grading.CELL_TIMEOUT))
    grade.add_argument("--force", action="store_true", help=_("replace existing submissions of the same students"))
    grade.add_argument("--no-sandbox", action="store_true",
                       help=_("grade without the sandbox, for a class you trust completely (a notebook can then read "
                              "the hidden tests and change grades)"))
    grade.add_argument("--course", default=None, help=_("course folder (default: this repository)"))
    grade.set_defaults(run=_grade)

    export = commands.add_parser("export", help=_("write the gradebook's scores as a CSV file to import into Canvas "
                                                  "or Moodle, matched on nbgrader's lms_user_id"))
    export.add_argument("--lms", choices=lms.LMS, required=True, help=_("the platform that imports the file"))
    export.add_argument("--to", default=None,
                        help=_("the CSV file to write (default: grades-<lms>.csv in the course folder)"))
    export.add_argument("--lms-id-column", choices=list(CANVAS_ID_OPTIONS), default=None,
                        help=_("Canvas only: the column that holds the lms_user_id, SIS User ID (default), Canvas's "
                               "own user ID, or SIS Login ID"))
    export.add_argument("--course", default=None, help=_("course folder (default: this repository)"))
    export.set_defaults(run=_export)

    workshop = commands.add_parser("workshop", help=_("run the course on your own CRM export"))
    steps = workshop.add_subparsers(dest="step", required=True)
    importer = steps.add_parser("import", help=_("import a CRM export: HubSpot, Salesforce, Zoho, Dynamics 365, Pipedrive or any other with a mapping"))
    importer.add_argument("files", nargs="+", help=_("the leads/contacts export and the deals/opportunities export"))
    importer.add_argument("--out", required=True, help=_("company folder to create, e.g. datasets/acme"))
    importer.add_argument("--mapping", default="auto",
                          help=_("auto (detected), hubspot, salesforce, zoho, dynamics, or a YAML mapping file"))
    importer.add_argument("--name", default=None, help=_("company name (default: the folder's name)"))
    importer.add_argument("--force", action="store_true",
                          help=_("replace a folder that an earlier import wrote (never any other folder)"))
    importer.add_argument("--strict", action="store_true",
                          help=_("refuse the import for any row that cannot be used, instead of setting it aside "
                                 "with a note"))
    importer.add_argument("--keep-names", action="store_true",
                          help=_("keep the owners' real names (default: stable pseudonyms, as results are shown to a "
                                 "room)"))
    order = importer.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True, default=None,
                       help=_("read dates like 01/02/2025 as 1 February (default: decided from the dates)"))
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help=_("read dates like 01/02/2025 as January 2 (default: decided from the dates)"))
    importer.set_defaults(run=_workshop_import)
    drafter = steps.add_parser("mapping", help=_("draft a mapping file from your export's own columns and values"))
    drafter.add_argument("--init", dest="files", nargs="+", required=True, metavar="FILE",
                         help=_("the export's files (leads/contacts and deals/opportunities)"))
    drafter.add_argument("--out", default="my-crm.yaml", help=_("the mapping file to write (default: my-crm.yaml)"))
    drafter.add_argument("--force", action="store_true", help=_("replace the mapping file if it exists"))
    drafter.set_defaults(run=_workshop_mapping)
    runner = steps.add_parser("run", help=_("execute the course notebooks on a company, as HTML"))
    runner.add_argument("--data", required=True, help=_("a company name or an imported company folder"))
    runner.add_argument("--out", default="workshop-results", help=_("folder for the HTML results"))
    runner.add_argument("--notebooks", nargs="*", default=[], help=_("only these notebooks (e.g. 02 03)"))
    runner.add_argument("--force", action="store_true", help=_("write into a folder that already holds files"))
    runner.add_argument("--show-code", action="store_true",
                        help=_("show the notebooks' code in the pages (default: hidden, a report to present)"))
    runner.set_defaults(run=_workshop_run)

    modules = commands.add_parser("modules", help=_("list the course's modules (from course.yml)"))
    modules.add_argument("--course", default=None, help=_("course folder (default: this repository)"))
    modules.set_defaults(run=_modules)

    dictionary = commands.add_parser("dictionary", help=_("write datasets/README.md from the schema"))
    dictionary.add_argument("--out", default=str(Path("datasets")), help=_("folder to write README.md into"))
    dictionary.set_defaults(run=_dictionary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
