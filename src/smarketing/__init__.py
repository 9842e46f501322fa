"""Smarketing Lab: the library behind the course notebooks on Sales, Marketing and Operations."""

from smarketing.datasets import (
    COMPANIES,
    DataValidationError,
    generate_company,
    load_company,
)

__all__ = ["COMPANIES", "DataValidationError", "generate_company", "load_company"]
__version__ = "0.1.0"
