"""nbgrader settings of the Chinese edition (中文版): the course's own (../nbgrader_config.py), rooted in this
folder, so that `smarketing release --lang zh_CN` generates zh_CN/exercises/ from zh_CN/solutions/ with the
same grade ids and points. Both editions are graded into the course's one gradebook (`smarketing grade`)."""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
load_subconfig(str(Path(__file__).resolve().parent.parent / "nbgrader_config.py"))  # noqa: F821 - likewise
