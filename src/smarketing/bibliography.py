"""The course's sources: one list (``bibliography.yml``), one grading scale, one page for learners.

Each source has a full reference (authors, year, title, venue, and a DOI, a URL or where to find it) and one
credibility grade on the scale A–D. The course notebooks' "Sources" tables give a source's grade and link to
``course/bibliography.md``, which :func:`markdown` writes; a test holds every table to the grade given here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from smarketing.messages import _

GRADES = ("A", "B", "C", "D")
FILE = "bibliography.yml"
PAGE = "course/bibliography.md"


@dataclass(frozen=True)
class Source:
    """One cited work and how far to trust what the course takes from it."""

    key: str
    cited_as: str  # a regular expression that finds the source where a notebook names it
    authors: str
    year: str  # a year, or "n.d." for living documentation and undated posts
    title: str
    venue: str
    grade: str
    method: str
    doi: str = ""
    url: str = ""
    location: str = ""  # for unpublished material: where the course keeps it

    def link(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url

    def reference(self) -> str:
        """The full reference in one line (author–year style), with its DOI, URL or location."""
        where = f"doi:[{self.doi}]({self.link()})" if self.doi else (f"<{self.url}>" if self.url else self.location)
        title = self.title if self.title[-1] in "?!." else f"{self.title}."
        return f"{self.authors} ({self.year}). *{title}* {self.venue}. {where}."


@dataclass(frozen=True)
class Bibliography:
    scale: dict[str, str]
    sources: tuple[Source, ...]

    def __getitem__(self, key: str) -> Source:
        for source in self.sources:
            if source.key == key:
                return source
        raise KeyError(key)


def load(root: Path) -> Bibliography:
    """Read ``bibliography.yml``; refuse an entry without a full reference or with a grade off the scale."""
    raw = yaml.safe_load((root / FILE).read_text(encoding="utf-8"))
    scale = {str(k): str(v) for k, v in raw["scale"].items()}
    if tuple(scale) != GRADES:
        raise ValueError(_("{file}: the scale must define the grades {grades} in that order.", file=FILE,
                           grades=", ".join(GRADES)))
    sources = []
    for entry in raw["sources"]:
        entry = {k: str(v) for k, v in entry.items()}
        missing = [f for f in ("key", "cited_as", "authors", "year", "title", "venue", "grade", "method")
                   if not entry.get(f)]
        if not any(entry.get(f) for f in ("doi", "url", "location")):
            missing.append("doi, url or location")
        if missing:
            raise ValueError(_("{file}: source {key} lacks {fields}.", file=FILE, key=entry.get("key", "?"),
                               fields=", ".join(missing)))
        if entry["grade"] not in GRADES:
            raise ValueError(_("{file}: source {key} has grade {grade}; use one of {grades}.", file=FILE,
                               key=entry["key"], grade=entry["grade"], grades=", ".join(GRADES)))
        sources.append(Source(**entry))
    keys = [s.key for s in sources]
    if len(set(keys)) != len(keys):
        raise ValueError(_("{file}: two sources share a key.", file=FILE))
    return Bibliography(scale, tuple(sources))


def markdown(bibliography: Bibliography) -> str:
    """The learners' page: the scale, then every source, grouped by grade, in author order."""
    lines = ["# Bibliography", "",
             "Every outside source this course cites, with its full reference and one credibility grade. The",
             "notebooks' *Sources* tables use the same grades. Written from `bibliography.yml` by",
             "`smarketing.bibliography` (`make bibliography`); edit that file, not this page.", "",
             "## The grading scale", "", "| grade | what it means |", "|---|---|"]
    lines += [f"| **{grade}** | {meaning} |" for grade, meaning in bibliography.scale.items()]
    lines += ["", "A grade says how far a figure's origin can be checked, not whether the idea is wise: a D-graded",
              "seed article can hold good ideas, and an A-graded study can be correlational.", ""]
    for grade in GRADES:
        graded = sorted((s for s in bibliography.sources if s.grade == grade), key=lambda s: (s.authors, s.year))
        if not graded:
            continue
        lines += [f"## Grade {grade}", ""]
        for source in graded:
            lines += [f"- <a id=\"{source.key}\"></a>{source.reference()}  ", f"  *How it was made:* {source.method}."]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    root = Path.cwd()
    (root / PAGE).write_text(markdown(load(root)), encoding="utf-8")
    print(f"wrote {PAGE}")
