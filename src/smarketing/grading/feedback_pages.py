"""nbgrader's feedback pages in the learner's language.

nbgrader's feedback template writes its own labels in English ("Score:", "Student's answer", "(Top)") and has
no message catalogue. For a translated edition, the pages it wrote are given the edition's labels here, each
matched only where the template puts it (inside its own tags), so that nothing a learner wrote is touched, and
the page is marked with its language."""

from __future__ import annotations

import re
from pathlib import Path

from smarketing.messages import _

HTML_LANG = {"zh_CN": "zh-CN"}


def _labels() -> list[tuple[re.Pattern[str], str]]:
    """nbgrader's labels, each in the template's own markup, with its translation (in the current language)."""
    score = _("Score:")
    answer, task, graded, task_id = _("Your answer"), _("Your task"), _("Graded cell:"), _("Task:")
    top, comments, late = _("(Top)"), _("Comments:"), _("Late submission penalty")
    plain = {
        '<span class="nbgrader-label">Student\'s answer</span>': f'<span class="nbgrader-label">{answer}</span>',
        '<span class="nbgrader-label">Student\'s task</span>': f'<span class="nbgrader-label">{task}</span>',
        '<span class="nbgrader-label">Grade cell: <code>': f'<span class="nbgrader-label">{graded} <code>',
        '<span class="nbgrader-label">Task: <code>': f'<span class="nbgrader-label">{task_id} <code>',
        '<a href="#top">(Top)</a>': f'<a href="#top">{top}</a>',
        "<b>Comments:</b>": f"<b>{comments}</b>",
        '<li class="late-penalty">Late submission penalty (Score:': f'<li class="late-penalty">{late} ({score}',
    }
    found = [(re.compile(re.escape(english)), translated) for english, translated in plain.items()]
    for kind, translated in (("Test cell", _("Check cell")), ("Coding free-response", _("Code answer")),
                             ("Written response", _("Written answer")), ("Task", _("Task")),
                             ("Comment", _("Comment"))):
        found.append((re.compile(rf'(<li><a href="#[^"<>]*">){re.escape(kind)}(</a>)'), rf"\g<1>{translated}\g<2>"))
    found.append((re.compile(r"(</a> |<h4>[^<]*|<span class=\"pull-right\">\s*)\(?Score: "),
                  lambda m: m.group(0).replace("Score: ", score + " ")))
    return found


def in_language(page: str, language: str, labels: list | None = None) -> str:
    """A feedback page (nbgrader's HTML) with its labels in ``language`` and its ``lang`` set (``labels``: those
    of :func:`_labels`, when many pages are given them)."""
    for pattern, translated in labels or _labels():
        page = pattern.sub(translated, page)
    return re.sub(r"<html(?![^>]*\blang=)", f'<html lang="{HTML_LANG.get(language, language)}"', page, count=1)


def translate_folder(folder: Path, language: str) -> None:
    """Every feedback page under ``folder`` (nbgrader's feedback/<student>/<assignment>/) in ``language``."""
    labels = _labels()  # once for the batch, not once a page
    for page in folder.rglob("*.html"):
        page.write_text(in_language(page.read_text(encoding="utf-8"), language, labels), encoding="utf-8")
