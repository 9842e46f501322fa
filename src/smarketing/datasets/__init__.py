"""The companies of the course: what a company is (:mod:`.company`), how a synthetic one is made
(:mod:`.generator`), stored and loaded (:mod:`.store`), imported from a CRM export (:mod:`.crm`), and what
data it has for each analysis (:mod:`.availability`).

This face holds what notebooks and the other rooms of the library use; the importer is left out, so that
loading a company never loads the CRM readers (``from smarketing.datasets import crm`` when you need them).
"""

from smarketing.datasets.company import (
    COURSE_COMPANIES,
    COURSE_QUARTERS,
    END,
    GRADED_COMPANIES,
    QUARTERS,
    START,
    Company,
    DataValidationError,
    Quarters,
    overview,
)
from smarketing.datasets.generator import generate_company, simulate_company, write_readme
from smarketing.datasets.generator.laws import response_multiplier
from smarketing.datasets.generator.profiles import COMPANIES, DEFAULT_SEED, YEARS_PER_LEVEL, CompanyProfile
from smarketing.datasets.store import (
    check_writable,
    datasets_dir,
    load_company,
    parse_empty,
    read_folder,
    write_company,
)

__all__ = [
    "COMPANIES", "COURSE_COMPANIES", "COURSE_QUARTERS", "GRADED_COMPANIES", "DEFAULT_SEED", "END", "QUARTERS", "START", "YEARS_PER_LEVEL",
    "Company", "CompanyProfile", "DataValidationError", "Quarters", "check_writable", "datasets_dir",
    "generate_company", "load_company", "overview", "parse_empty", "read_folder", "response_multiplier",
    "simulate_company", "write_company", "write_readme",
]
