"""Which encoding a CSV export is in: UTF-16 or UTF-8, else GBK (Chinese Excel) or Windows-1252 (European Excel)
when exactly one reads it clearly; a file that mixes UTF-8 with Windows-1252 is refused, since one rep would
become two."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from smarketing.messages import _
from smarketing.schema import Problem

_CHUNK = 8 * 1024**2  # bytes checked at a time

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# GBK reads an accented letter of Latin-1 text and the letter after it as one ideograph ('Jürgen' -> 'J黵gen'),
# so an ideograph between Latin letters is Latin-1 text; Chinese text writes words of two or more ideographs.
_LATIN_READ_AS_GBK = re.compile(f"(?<=[A-Za-z])[{_CJK}](?=[A-Za-z])")
_CHINESE_WORD = re.compile(f"[{_CJK}]{{2,}}")


def is_utf8(data: memoryview) -> bool:
    """Whether the bytes are UTF-8, checked a chunk at a time so a large file is never held twice."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start:start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _word_at(text: str) -> str:
    """The first word of a line holding a letter outside ASCII, to show which spelling a line has."""
    match = re.search(r"[^\s,;\t\"]*[^\x00-\x7f][^\s,;\t\"]*", text)
    return match[0] if match else text[:30]


def _mixed_encodings(path: Path, raw: bytes) -> Problem | None:
    """The problem of a text that is partly UTF-8 and partly Windows-1252 (rows pasted from two exports): read
    either way, 'Jürgen' would be spelt two ways and one rep would become two."""
    utf8: list[tuple[int, str]] = []
    other: list[tuple[int, str]] = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            utf8.append((number, line.decode("utf-8")))
        except UnicodeDecodeError:
            other.append((number, line.decode("cp1252", errors="replace")))
    if not utf8 or not other:
        return None
    return Problem(path.name, "", tuple(sorted(n for n, _t in utf8[:5] + other[:5])), _(
        "this file mixes two encodings: {utf8_count} line(s) are UTF-8 (line {utf8_line}: '{utf8_word}') and "
        "{other_count} are Windows-1252/Latin-1 (line {other_line}: '{other_word}'), as when rows of two exports "
        "are pasted into one file. Read either way, one of the spellings would be garbled ('{garbled}'), and one "
        "person would become two. Save each part again as UTF-8 (in Excel: Save As > 'CSV UTF-8 (comma "
        "delimited)') before combining them, or export the report again in one piece.",
        utf8_count=len(utf8), utf8_line=utf8[0][0], utf8_word=_word_at(utf8[0][1]), other_count=len(other),
        other_line=other[0][0], other_word=_word_at(other[0][1]),
        garbled=_word_at(utf8[0][1]).encode("utf-8").decode("cp1252", errors="replace")))


def decode(path: Path, raw: bytes) -> tuple[str | None, Problem | None]:
    """The text of a CSV file that is not UTF-8: UTF-16 (with its BOM), else GBK or Windows-1252 when exactly
    one of them reads it clearly; or the problem that says how to save it again."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode Text"
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    readings = {}
    for encoding in ("gb18030", "cp1252"):  # Chinese Excel (GBK), European Excel (Windows-1252, Latin-1)
        try:
            readings[encoding] = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    if len(readings) == 2:
        latin = len(_LATIN_READ_AS_GBK.findall(readings["gb18030"]))
        chinese = len(_CHINESE_WORD.findall(readings["gb18030"]))
        readings = {e: t for e, t in readings.items() if latin != chinese and (e == "cp1252") == (latin > chinese)}
    if "gb18030" not in readings and (mixed := _mixed_encodings(path, raw)):
        return None, mixed
    if len(readings) == 1:
        return next(iter(readings.values())), None
    return None, Problem(path.name, "", (), _(
        "the encoding of this file cannot be determined: it is not UTF-8, and it reads clearly neither as GBK/"
        "GB18030 (as Chinese Excel saves CSV) nor as Windows-1252/Latin-1 (as European Excel does). Save it again "
        "as UTF-8: in Excel, Save As > 'CSV UTF-8 (comma delimited)'; in a text editor, choose the encoding UTF-8."))
