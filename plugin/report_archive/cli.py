"""`report-archive`: check reports without building, scaffold new ones, print the schema."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from .archive import Archive
from .compare import ReportDiff, compare_reports, delta_text
from .diagnostics import Diagnostic
from .discovery import discover, read_files
from .front_matter import schema_text
from .model import Report
from .model_index import ExportError, all_leaderboards_csv, model_index, model_index_yaml
from .project import DEFAULT_CONFIG_FILES, Project, ProjectError, find_config_file, load_project
from .scaffold import ScaffoldError, new_report
from .settings import Settings
from .tracking import TRACKERS, Run, TrackerError, connect, parse_ref, tracking_uri
from .values import json_safe
from .verify import verify_reports


class _Group(click.Group):
    """The command group, with output that cannot be written reported in one line."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                # Buffered output is written here, not at exit, so that its failure is seen.
                sys.stdout.flush()
        except OSError as exc:
            _output_failed(exc)


def _output_failed(exc: OSError) -> None:
    where = f" {exc.filename}" if exc.filename else " the output"
    message = f"report-archive: cannot write{where}: {exc.strerror or exc}\n"
    try:
        sys.stderr.write(message)
        sys.stderr.flush()
    except OSError:
        pass
    # Python flushes stdout again at exit: point it at the null device so that it can.
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):  # stdout without a file descriptor
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mkdocs-report-archive")
def main() -> None:
    """Report Archive: validate and scaffold ML experiment reports."""


def _project(config: str | None, required: bool) -> Project | None:
    """The configuration, loaded as MkDocs loads it; None when there is none and none is needed.

    A configuration that exists must load: it fails with exit code 2 and one line.
    """
    path = find_config_file(config)
    if path is None or not path.is_file():
        if config or required:
            where = config or " or ".join(DEFAULT_CONFIG_FILES)
            raise click.UsageError(f"no configuration at {where}: run from the folder of "
                                   "mkdocs.yml, give --config, or name the reports to check")
        return None
    try:
        return load_project(path)
    except ProjectError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--strict", is_flag=True, help="Count warnings as errors for the exit code.")
@click.option("--config", type=click.Path(dir_okay=False),
              help="The configuration to read, loaded as MkDocs loads it "
                   "(default: ./mkdocs.yml or ./mkdocs.yaml).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to read reports with (default: the number of CPUs).")
@click.option("--verify-runs", is_flag=True,
              help="Compare each report's own results row with the run it names (runs:) "
                   "in the experiment tracker.")
@click.option("--tracking-uri", help="The MLflow tracking server for --verify-runs "
              "(default: MLFLOW_TRACKING_URI, else the plugin's tracking.mlflow_tracking_uri).")
@click.option("--no-cache", is_flag=True,
              help="Read every file again, without the cache of the last check "
                   "(kept in ~/.cache/report-archive, keyed by each file's content, "
                   "the options and the package's version).")
def check(paths: tuple[Path, ...], fmt: str, strict: bool, config: str | None,
          jobs: int | None, verify_runs: bool, tracking_uri: str | None,
          no_cache: bool) -> None:
    """Validate reports without building the site.

    PATHS are report files or folders; by default, the pages MkDocs would build
    from the docs_dir of ./mkdocs.yml (exclude_docs and draft_docs apply).
    Exit code: 0 no errors, 1 errors (with --strict, warnings too), 2 bad usage.
    """
    project = _project(config, required=not paths)
    verify = (tracking_uri,) if verify_runs else None
    cached = not no_cache
    if paths:
        reports, diagnostics, lenient = _check_named(paths, project, jobs, verify, cached)
        notes = list(project.warnings) if project else []
    else:
        assert project is not None
        reports, diagnostics, lenient, notes = _check_archive(project, jobs, verify, cached)
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    _print(diagnostics, len(reports), sum(1 for r in reports if r.is_report), fmt, lenient)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    # A draft's warnings do not fail --strict unless the option drafts.strict says so.
    warnings = len(diagnostics) - errors - lenient + len(notes)
    strict = strict or bool(project and project.strict)
    sys.exit(1 if errors or (strict and warnings) else 0)


def _read(files: list[tuple[Path, str]], settings: Settings, jobs: int | None,
          cached: bool, project: str) -> list[Report]:
    """Read the files on every core; with `cached`, unchanged ones from the last check."""
    count = jobs or os.cpu_count() or 1
    if not cached:
        return read_files(files, settings, count)
    from .cache import CheckCache, read_files_cached
    return read_files_cached(files, settings, count, CheckCache(settings, project))


def _check_archive(project: Project, jobs: int | None, verify: tuple[str | None] | None = None,
                   cached: bool = True) -> tuple[list[Report], list[Diagnostic], int, list[str]]:
    """The pages MkDocs would build, judged as the build judges them.

    Returns the reports, their diagnostics with paths shown from here (as the
    build logs them), how many are drafts' warnings, and what MkDocs warned about
    while loading and finding files.
    """
    files, found, left_out = project.documents()
    reports = _read(files, project.settings, jobs, cached,
                    str(project.config_file.resolve()))
    root = _shown(project.docs_dir)
    archive = _verified(Archive(reports, project.settings,
                                known_files=project.site_files().__contains__), verify)
    lenient = sum(1 for d in archive.diagnostics if archive.lenient(d))
    diagnostics = [replace(d, path=os.path.join(root, d.path))
                   for d in [*left_out, *project.clashes(archive), *archive.diagnostics]]
    return reports, diagnostics, lenient, [*project.warnings, *found]


def _check_named(paths: tuple[Path, ...], project: Project | None, jobs: int | None,
                 verify: tuple[str | None] | None = None, cached: bool = True
                 ) -> tuple[list[Report], list[Diagnostic], int]:
    """Exactly the files named (and the Markdown files in the folders named)."""
    settings = project.settings if project else Settings()
    # A declared comparison is about the whole archive, not about the files named here.
    settings = replace(settings, comparisons=())
    reports = _read(_named_files(paths), settings, jobs, cached, os.getcwd())
    archive = _verified(Archive(reports, settings, known_files=on_disk), verify)
    return reports, archive.diagnostics, sum(1 for d in archive.diagnostics
                                             if archive.lenient(d))


def on_disk(path: str) -> bool:
    """A link target named from the current folder exists (for files named on the line)."""
    return Path(path).exists()


def _verified(archive: Archive, verify: tuple[str | None] | None) -> Archive:
    """The archive with what comparing its reports with their runs found (when asked)."""
    if verify is not None:
        for key, found in verify_reports(archive.reports, archive.settings,
                                         verify[0]).found.items():
            archive.cross.setdefault(key, []).extend(found)
    return archive


def _named_files(paths: tuple[Path, ...]) -> list[tuple[Path, str]]:
    """Exactly the files named, and the Markdown files in the folders named."""
    files: list[tuple[Path, str]] = []
    for target in paths:
        if target.is_dir():
            for found in discover(target):
                files.append((found, os.path.join(str(target), found.relative_to(target))))
        elif target.exists():  # a file, or a pipe or device that is named as unreadable
            files.append((target, str(target)))
        else:
            raise click.UsageError(f"no such file or folder: {target}")
    return files


def _print(diagnostics: list[Diagnostic], checked: int, reports: int, fmt: str,
           lenient: int = 0) -> None:
    if fmt == "json":
        click.echo(json.dumps({"checked": checked,
                               "diagnostics": [d.as_dict() for d in diagnostics]}, indent=2,
                              ensure_ascii=False))
        return
    if fmt == "github":
        for d in diagnostics:
            click.echo(github_annotation(d))
        return
    for d in diagnostics:
        click.echo(d.format_text())
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    files_with = len({d.path for d in diagnostics})
    def count(number: int, noun: str) -> str:
        return f"{number} {noun}{'' if number == 1 else 's'}"

    drafts = (f" ({lenient} in drafts, not counted by --strict)" if lenient else "")
    click.echo(f"Checked {count(checked, 'file')} ({count(reports, 'report')}): "
               f"{count(errors, 'error')}, {count(warnings, 'warning')}{drafts} in "
               f"{count(files_with, 'file')}.", err=bool(diagnostics))


def github_annotation(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, escaped as the runner expects."""
    def prop(value: str) -> str:
        return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                .replace(":", "%3A").replace(",", "%2C"))

    def data(value: str) -> str:
        return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    props = [f"file={prop(d.path)}"]
    if d.line is not None:
        props.append(f"line={d.line}")
        if d.column is not None:
            props.append(f"col={d.column}")
    props.append(f"title={prop(d.rule)}")
    message = d.message + (f" (hint: {d.hint})" if d.hint else "")
    return f"::{d.severity} {','.join(props)}::{data(message)}"


@main.command()
@click.argument("title")
@click.option("--author", "authors", multiple=True, help="An author (repeat for several); "
              "default: git's user.name.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for several, or separate "
              "them with commas).")
@click.option("--dataset", help="The dataset the report evaluates on.")
@click.option("--date", "date", help="The report's date, YYYY-MM-DD (default: today).")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the report (default: the docs_dir of ./mkdocs.yml).")
@click.option("--config", type=click.Path(dir_okay=False),
              help="The mkdocs.yml whose docs_dir receives the report.")
@click.option("--from-mlflow", "mlflow_run", metavar="RUN_ID",
              help="Fill the report from this MLflow run: its parameters (4.1), metrics "
                   "(5.1), compute (4.3) and code; the front matter names the run.")
@click.option("--tracking-uri", help="The MLflow tracking server (default: MLFLOW_TRACKING_URI, "
              "else the plugin's tracking.mlflow_tracking_uri).")
def new(title: str, authors: tuple[str, ...], tags: tuple[str, ...], dataset: str | None,
        date: str | None, folder: Path | None, config: str | None, mlflow_run: str | None,
        tracking_uri: str | None) -> None:
    """Write a new report from the template, front matter filled; never overwrites."""
    project = _project(config, required=False)
    settings = project.settings if project else Settings()
    run = _run(mlflow_run, tracking_uri, settings) if mlflow_run is not None else None
    if folder is None:
        folder = project.docs_dir if project else Path(".")
    names = list(authors) or _git_user()
    if not names:
        raise click.UsageError("give at least one --author (git has no user.name either)")
    _refuse_control_characters([("TITLE", title), *(("--author", a) for a in names),
                                *(("--tag", t) for t in tags), ("--dataset", dataset or "")])
    # "a, b" is two tags, as `authors: A, B` is two authors.
    tags = tuple(t.strip() for tag in tags for t in tag.split(",") if t.strip())
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError as exc:
        form = date and len(date) == 10 and date[4] == date[7] == "-"
        problem = "not a real calendar date" if form else "not a date in YYYY-MM-DD form"
        raise click.UsageError(f"--date '{date}' is {problem}") from exc
    notes: list[str] = []
    try:
        root = project.config_file.parent if project and project.config_file else None
        path = new_report(folder, title, names, list(tags), dataset, day, root, settings, run,
                          notes)
    except ScaffoldError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(_shown(path))


def _run(run_id: str, given_uri: str | None, settings: Settings) -> Run:
    """The MLflow run to fill a new report from; exit 1 with one line when it cannot be read."""
    uri = tracking_uri("mlflow", given_uri, settings.tracking.mlflow_tracking_uri)
    if uri is None:
        raise click.UsageError("--from-mlflow needs the tracking server: set "
                               f"{TRACKERS['mlflow'].uri_env} or give --tracking-uri")
    ref = parse_ref(f"mlflow:{run_id}")
    if isinstance(ref, str):
        raise click.UsageError(f"--from-mlflow: {ref}")
    try:
        return connect("mlflow", uri, settings.tracking.timeout).fetch(ref.run_id)
    except TrackerError as exc:
        click.echo(f"error: {exc}; no report was written", err=True)
        sys.exit(1)


# Line breaks and tabs are folded into spaces; these would reach the file as they are.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")


def _refuse_control_characters(values: list[tuple[str, str]]) -> None:
    for option, value in values:
        for char in value:
            category = unicodedata.category(char)
            if ((category == "Cc" and char not in "\t\n\r") or category == "Cs"
                    or char in _BIDI_CONTROLS or char in "\ufffe\uffff"):
                raise click.UsageError(f"{option} contains the control character "
                                       f"U+{ord(char):04X}; write it without")


def _git_user() -> list[str]:
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                              check=False, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return []
    return [name] if name else []


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False,
                                                                   path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="How to print the comparison.")
@click.option("--config", type=click.Path(dir_okay=False),
              help="The mkdocs.yml to read options from (default: ./mkdocs.yml).")
def compare(paths: tuple[Path, ...], fmt: str, config: str | None) -> None:
    """Compare reports side by side: metrics against the first, differing hyperparameters.

    Exit code: 0 when every report could be read, 1 otherwise, 2 on bad usage.
    """
    project = _project(config, required=False)
    settings = project.settings if project else Settings()
    reports = read_files([(p, str(p)) for p in paths], settings)
    broken = [r for r in reports if not r.is_report or r.errors]
    for report in broken:
        reason = "is not a report" if not report.is_report else (
            f"has {len(report.errors)} errors (run report-archive check)")
        click.echo(f"{report.path}: {reason}", err=True)
    data = compare_reports([r for r in reports if r.is_report], settings)
    click.echo(format_comparison(data, fmt))
    sys.exit(1 if broken else 0)


def format_comparison(data: ReportDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(json_safe(data), indent=2, ensure_ascii=False, allow_nan=False)
    titles = [Path(r["path"]).name for r in data["reports"]]
    metric_rows = [[m["name"]] + [m["texts"][0]] + [
        f"{text} ({delta_text(delta, m)})" if delta_text(delta, m) else text
        for text, delta in zip(m["texts"][1:], m["deltas"][1:], strict=True)]
        for m in data["metrics"]]
    param_rows = [[h["name"]] + [v if v is not None else "—" for v in h["values"]]
                  for h in data["hyperparameters"]]
    if fmt == "markdown":
        parts = ["## Metrics", "", _markdown_table(["Metric", *titles], metric_rows)]
        parts += ["", "## Hyperparameters that differ", ""]
        parts += [_markdown_table(["Hyperparameter", *titles], param_rows) if param_rows
                  else "None."]
        return "\n".join(parts)
    parts = ["Metrics (own model; in brackets the difference to the first report)",
             _text_table(["Metric", *titles], metric_rows), "",
             "Hyperparameters that differ",
             _text_table(["Hyperparameter", *titles], param_rows) if param_rows else "  none"]
    return "\n".join(parts)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                     .rstrip() for row in table)


@main.group()
def export() -> None:
    """Export reports for other tools: model cards, spreadsheets."""


@export.command("model-index")
@click.argument("report", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--task", help="The Hugging Face task id, e.g. text-classification "
              "(default: from the report's tags or its model card's Task row).")
@click.option("--dataset-type", help="The dataset's Hub id, e.g. glue (default: from its name).")
@click.option("--dataset-config", help="The dataset's configuration, e.g. sst2.")
@click.option("--dataset-split", help="The split the metrics are on, e.g. validation.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the YAML to this file instead of printing it.")
@click.option("--config", type=click.Path(dir_okay=False),
              help="The mkdocs.yml to read options and site_url from (default: ./mkdocs.yml).")
def model_index_command(report: Path, task: str | None, dataset_type: str | None,
                        dataset_config: str | None, dataset_split: str | None,
                        output: Path | None, config: str | None) -> None:
    """Print the Hugging Face model-index metadata of REPORT's own model.

    Paste it into the YAML front matter of the model's README.md on the Hub.
    Exit code: 0 written, 1 when the report has errors or nothing to export.
    """
    project = _project(config, required=False)
    settings = project.settings if project else Settings()
    [read] = read_files([(report, str(report))], settings)
    if not read.is_report or read.errors:
        reason = "is not a report" if not read.is_report else (
            f"has {len(read.errors)} errors (run report-archive check)")
        click.echo(f"error: {report}: {reason}", err=True)
        sys.exit(1)
    url = _address(project, report)
    try:
        text = model_index_yaml(model_index(read, task=task, dataset_type=dataset_type,
                                            dataset_config=dataset_config,
                                            dataset_split=dataset_split, url=url))
    except ExportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(_shown(output))


def _address(project: Project | None, report: Path) -> str | None:
    if project is None:
        return None
    try:
        src = report.resolve().relative_to(project.docs_dir.resolve()).as_posix()
    except ValueError:
        return None
    return project.page_address(src)


@export.command("csv")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("leaderboards"), show_default=True,
              help="The folder to write one <dataset>.csv per leaderboard into.")
@click.option("--config", type=click.Path(dir_okay=False),
              help="The configuration whose archive to read (default: ./mkdocs.yml).")
def csv_command(folder: Path, config: str | None) -> None:
    """Write every dataset leaderboard of the archive as CSV (one file per dataset)."""
    project = _project(config, required=True)
    assert project is not None
    files, _, _ = project.documents()
    reports = read_files(files, project.settings)
    tables = all_leaderboards_csv(Archive(reports, project.settings))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in tables.items():
            (folder / name).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        click.echo(f"error: cannot write {exc.filename or folder}: {exc.strerror or exc}",
                   err=True)
        sys.exit(1)
    for name in tables:
        click.echo(_shown(folder / name))


@main.command()
def schema() -> None:
    """Print the front matter JSON Schema (for editors and other tools)."""
    click.echo(schema_text(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
