"""The message catalog: every learner-facing string the library produces passes through here.

Strings are written in English as gettext message ids, so that a translated edition (the seed
articles are Chinese) only needs a ``locale/<lang>/LC_MESSAGES/smarketing.mo`` file, never a change of
logic. Choose the language with the ``SMARKETING_LANG`` environment variable (default: English).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "smarketing"
LANGUAGES = ("zh_CN",)  # the translated editions (English is the source); see smarketing.translation


@lru_cache(maxsize=8)
def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def _(message: str, /, **values: object) -> str:
    """Translate ``message`` into the learner's language and fill in its ``{placeholders}``."""
    language = language_code()
    text = _translation(language).gettext(message)
    return text.format(**values) if values else text


def language_code() -> str:
    """The learner's language: ``SMARKETING_LANG`` (``zh_CN``; ``zh-CN`` and ``zh_CN.UTF-8`` are read as it),
    English when unset or unknown."""
    chosen = os.environ.get("SMARKETING_LANG", "en").split(".", 1)[0].replace("-", "_")
    return chosen if chosen in LANGUAGES else "en"


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak ``language`` (``en`` or an edition) for the duration: set ``SMARKETING_LANG``, then put back what was
    there (for code that builds one edition after another, or runs an edition's notebook)."""
    before = os.environ.get("SMARKETING_LANG")
    os.environ["SMARKETING_LANG"] = language
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SMARKETING_LANG", None)
        else:
            os.environ["SMARKETING_LANG"] = before


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalogue without translating it yet: for labels kept in constants, translated
    with ``_()`` where they are shown (so in the language of the moment, not of the import)."""
    return message


def date_text(moment: Any, padded: bool = False) -> str:
    """A date (datetime or pandas Timestamp) as the learner's language writes it in a sentence: "1 October 2025"
    ("01 October 2025" when ``padded``), "2025年10月1日"."""
    if language_code().startswith("zh"):
        return f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{moment:%d %B %Y}" if padded else f"{moment.day} {moment:%B %Y}"
