"""Smarketing Lab: the library behind the course notebooks on Sales, Marketing and Operations."""

import sys

# Altair validates every chart with jsonschema, which on import loads rfc3987_syntax, when installed, for its "iri"
# format checks: that module builds some 35 Earley parsers as it loads, 1.7 s of every course kernel's start
# (python-jsonschema/jsonschema#1428). Vega-Lite's schema, the only one the course validates, has no "iri" format,
# so a kernel that has not loaded jsonschema yet goes without the module: jsonschema then skips those two checks.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]  # None: "not installed" to an import

from smarketing.datasets import (  # noqa: E402 - after the guard above
    COMPANIES,
    DataValidationError,
    generate_company,
    load_company,
)

__all__ = ["COMPANIES", "DataValidationError", "generate_company", "load_company"]
__version__ = "0.1.0"
