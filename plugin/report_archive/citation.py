"""Citing a report (BibTeX) and linking its provenance (runs, code) on its header card."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TypedDict

from .model import Report
from .tracking import web_url

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                  "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def bibtex(report: Report, url: str | None) -> str:
    """A BibTeX `@misc` entry for the report: title, authors, date and, when known, its URL."""
    year, _, rest = (report.date or "").partition("-")
    month = rest.partition("-")[0]
    fields = [("title", "{" + _latex(report.title) + "}"),
              ("author", " and ".join(_latex(a) for a in report.authors))]
    if year:
        fields.append(("year", year))
    if month.isdigit() and 1 <= int(month) <= 12:
        fields.append(("month", _MONTHS[int(month) - 1]))
    if url:
        fields.append(("url", "".join(url.split()).replace("{", "%7B").replace("}", "%7D")))
    fields.append(("note", "Experiment report" + (f", {report.status}" if report.status else "")))
    lines = [f"@misc{{{citation_key(report)},"]
    lines += [f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},"
              for name, value in fields]
    return "\n".join(lines) + "\n}"


def citation_key(report: Report) -> str:
    """`raman2023bert`: the first author's last name, the year, the title's first word."""
    author = report.authors[0].split()[-1] if report.authors and report.authors[0].split() \
        else "report"
    word = next((w for w in re.split(r"\W+", _ascii(report.title)) if len(w) > 2), "")
    return (_ascii(author).lower() + (report.date or "")[:4] + word.lower()) or "report"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "" if " " not in text else " ", plain).strip()


def _latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in " ".join(text.split()))


class RunLink(TypedDict):
    text: str
    url: str | None


class CodeLink(TypedDict):
    repository: str
    repository_url: str | None
    commit: str
    commit_url: str | None


class ProvenanceView(TypedDict):
    runs: list[RunLink]
    code: CodeLink | None


def provenance(report: Report, ui_bases: Mapping[str, str]) -> ProvenanceView:
    """The report's runs (linked when the tracker's web UI is known) and its code."""
    source = report.provenance
    runs: list[RunLink] = [{"text": ref.text, "url": web_url(ref, ui_bases)}
                           for ref in source.runs]
    code: CodeLink | None = None
    if source.code:
        repository = source.repository or ""
        web = repository_web_url(repository) if repository else None
        commit = source.commit or ""
        code = {"repository": repository, "repository_url": web, "commit": commit,
                "commit_url": commit_url(web, commit) if web and commit else None}
    return {"runs": runs, "code": code}


def repository_web_url(repository: str) -> str | None:
    """The repository's web page: `git@host:team/repo.git` -> `https://host/team/repo`."""
    text = repository.strip()
    match = re.fullmatch(r"git@([\w.-]+):(.+?)(?:\.git)?/?", text) or re.fullmatch(
        r"ssh://(?:[\w.-]+@)?([\w.-]+)(?::\d+)?/(.+?)(?:\.git)?/?", text)
    if match:
        return f"https://{match.group(1)}/{match.group(2)}"
    match = re.fullmatch(r"(https?://\S+?)(?:\.git)?/?", text)
    if match:
        return re.sub(r"^(https?://)[^/@]*@", r"\1", match.group(1))  # no credentials
    return None


def commit_url(web: str, commit: str) -> str:
    kind = "commits" if "bitbucket.org" in web else "commit"
    return f"{web}/{kind}/{commit}"
