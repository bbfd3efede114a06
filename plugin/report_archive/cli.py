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
from .project import DEFAULT_CONFIG_FILES, Project, ProjectError, find_config_file, load_project
from .scaffold import ScaffoldError, new_report
from .settings import Settings
from .values import json_safe


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
@click.option("--no-cache", is_flag=True,
              help="Read every file again, without the cache of the last check "
                   "(kept in ~/.cache/report-archive, keyed by each file's content, "
                   "the options and the package's version).")
def check(paths: tuple[Path, ...], fmt: str, strict: bool, config: str | None,
          jobs: int | None, no_cache: bool) -> None:
    """Validate reports without building the site.

    PATHS are report files or folders; by default, the pages MkDocs would build
    from the docs_dir of ./mkdocs.yml (exclude_docs and draft_docs apply).
    Exit code: 0 no errors, 1 errors (with --strict, warnings too), 2 bad usage.
    """
    project = _project(config, required=not paths)
    cached = not no_cache
    if paths:
        reports, diagnostics = _check_named(paths, project, jobs, cached)
        notes = list(project.warnings) if project else []
    else:
        assert project is not None
        reports, diagnostics, notes = _check_archive(project, jobs, cached)
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    _print(diagnostics, len(reports), sum(1 for r in reports if r.is_report), fmt)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors + len(notes)
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


def _check_archive(project: Project, jobs: int | None, cached: bool = True
                   ) -> tuple[list[Report], list[Diagnostic], list[str]]:
    """The pages MkDocs would build, judged as the build judges them.

    Returns the reports, their diagnostics with paths shown from here (as the
    build logs them) and what MkDocs warned about while loading and finding files.
    """
    files, found, left_out = project.documents()
    reports = _read(files, project.settings, jobs, cached,
                    str(project.config_file.resolve()))
    root = _shown(project.docs_dir)
    diagnostics = [replace(d, path=os.path.join(root, d.path))
                   for d in [*left_out, *Archive(reports, project.settings).diagnostics]]
    return reports, diagnostics, [*project.warnings, *found]


def _check_named(paths: tuple[Path, ...], project: Project | None, jobs: int | None,
                 cached: bool = True) -> tuple[list[Report], list[Diagnostic]]:
    """Exactly the files named (and the Markdown files in the folders named)."""
    settings = project.settings if project else Settings()
    # A declared comparison is about the whole archive, not about the files named here.
    settings = replace(settings, comparisons=())
    reports = _read(_named_files(paths), settings, jobs, cached, os.getcwd())
    return reports, Archive(reports, settings).diagnostics


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


def _print(diagnostics: list[Diagnostic], checked: int, reports: int, fmt: str) -> None:
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

    click.echo(f"Checked {count(checked, 'file')} ({count(reports, 'report')}): "
               f"{count(errors, 'error')}, {count(warnings, 'warning')} in "
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
@click.option("--tag", "tags", multiple=True, help="A tag (repeat for several).")
@click.option("--dataset", help="The dataset the report evaluates on.")
@click.option("--date", "date", help="The report's date, YYYY-MM-DD (default: today).")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the report (default: the docs_dir of ./mkdocs.yml).")
@click.option("--config", type=click.Path(dir_okay=False),
              help="The mkdocs.yml whose docs_dir receives the report.")
def new(title: str, authors: tuple[str, ...], tags: tuple[str, ...], dataset: str | None,
        date: str | None, folder: Path | None, config: str | None) -> None:
    """Write a new report from the template, front matter filled; never overwrites."""
    project = _project(config, required=False)
    if folder is None:
        folder = project.docs_dir if project else Path(".")
    names = list(authors) or _git_user()
    if not names:
        raise click.UsageError("give at least one --author (git has no user.name either)")
    _refuse_control_characters([("TITLE", title), *(("--author", a) for a in names),
                                *(("--tag", t) for t in tags), ("--dataset", dataset or "")])
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError as exc:
        raise click.UsageError(f"--date '{date}' is not a date in YYYY-MM-DD form") from exc
    try:
        root = project.config_file.parent if project and project.config_file else None
        settings = project.settings if project else Settings()
        path = new_report(folder, title, names, list(tags), dataset, day, root, settings)
    except ScaffoldError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(_shown(path))


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


@main.command()
def schema() -> None:
    """Print the front matter JSON Schema (for editors and other tools)."""
    click.echo(schema_text(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
