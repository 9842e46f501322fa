"""axe-core (Deque's accessibility rules engine, from npm: .ci/run installs it) injected into a page that Playwright
drives in Chromium, with the WCAG 2.0 and 2.1 A and AA rules. The course's bar is no critical and no serious
finding on any page it ships (the HTML export, the site, the Voilà app)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("critical", "serious")


@functools.cache
def script() -> str:
    """axe.min.js, from the global npm packages (``npm install --global axe-core``)."""
    npm = shutil.which("npm")
    root = subprocess.run([npm, "root", "--global"], capture_output=True, text=True).stdout.strip() if npm else ""
    path = Path(root) / "axe-core" / "axe.min.js"
    if not path.exists():
        message = "axe-core is not installed: npm install --global axe-core (the version .ci/run pins)"
        if os.environ.get("SMARKETING_REQUIRE_BROWSER"):
            raise RuntimeError(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


def findings(page: Any) -> list[dict[str, Any]]:
    """The critical and serious WCAG 2.x A/AA violations on the page as it is now (axe skips what is hidden)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=script())
    result = page.evaluate("""async (tags) => await axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""", TAGS)
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def described(violations: list[dict[str, Any]]) -> str:
    """Violations as a reader fixes them: rule, impact, how many, and the first element with axe's advice."""
    lines = []
    for v in violations:
        node = v["nodes"][0]
        lines.append(f"{v['impact']} {v['id']} ×{len(v['nodes'])}: {v['help']}\n    at {node['target']}: "
                     f"{node['html'][:200]}\n    {node.get('failureSummary', '').replace(chr(10), ' ')[:400]}")
    return "\n".join(lines)
