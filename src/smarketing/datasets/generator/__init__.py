"""The seeded, vectorised, causal generator of the synthetic companies: the same arguments always give the
same bytes. What causes what in the data is :data:`CAUSES`, which ``datasets/README.md`` quotes."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.datasets.company import Company
from smarketing.datasets.generator.cohorts import COHORT_COMPANIES, DEFAULT_COHORT, cohort_profile, cohort_seed
from smarketing.datasets.generator.profiles import COMPANIES, DEFAULT_SEED, CompanyProfile
from smarketing.datasets.generator.journey import later_touches
from smarketing.datasets.generator.selling import sales_records
from smarketing.datasets.generator.tables import (
    _activities,
    _campaigns,
    _deals,
    _leads,
    _orders,
    _staff,
    _targets,
    _tickets,
)
from smarketing.datasets.store import parse_empty
from smarketing.messages import _

# The section "What causes what" of datasets/README.md, word for word.
CAUSES = """\
Three companies are different on purpose (see ``COMPANIES``): ``lumen`` is aligned, ``ferro`` is not,
``bloom`` lives by its operations. What causes what is written down in each company's parameters
(saved as ``company.json``), so that exercises can ask learners to recover them and tests can check:

* lead score is a noisy reading of a hidden lead *quality*, and quality drives qualification and wins;
* sales' first-response time drives qualification: past the first hour the chance of qualifying is
  multiplied by ``(60 / minutes) ** response_decay``;
* alignment changes follow-up (share never contacted, response speed, acceptance) and so leakage;
* marketing spend buys leads, which turn into revenue months later (stage delays + sales cycle);
* spend causes only a share of the leads its channel is credited with (``incremental_share``): the rest would
  have come anyway, as only a holdout shows (``generator.experiments``; module 05);
* a deal moves through its stages at even steps of its sales cycle (``opportunity_history``); most lost
  deals drop out early, amounts firm up from a rough estimate, and a deal slower than the typical cycle
  sees its expected close date slip at every stage;
* after its creation a lead that sales will qualify meets more campaigns, mostly nurture (e-mail, webinars,
  content), before its opportunity is opened (``later_touchpoints``, ``generator.journey``): the whole journey W-shaped attribution
  credits;
* a deal's qualification checklist (``bant_*``) is a reading of its fate, and a misaligned company's reps tick
  its boxes with less care; a discount never changes whether a deal is won, but reps discount the deals in
  trouble on price, at the end of a quarter and on large accounts (``generator.selling``; module 04);
* alignment is *confounded* with segment mix: the aligned company also sells to larger, readier
  buyers, so a naive comparison of the companies overstates what alignment does."""

# What company.json of a graded company holds: who it is and which data it is, nothing of what causes what.
PUBLIC_PARAMETERS = ("name", "kind", "story", "period", "generator_version", "seed", "leads", "default_leads")


def _setup(name: str, seed: int | None, size: int | None, overrides: dict[str, Any] | None,
           cohort: str | None) -> tuple[CompanyProfile, int, dict[str, np.random.Generator], str | None, int]:
    """The profile a company is drawn with (``overrides`` applied), its number of leads, one independent random
    stream per part of the company (so each part is reproducible on its own), its cohort and its seed."""
    if name in COMPANIES:
        profile, stream = COMPANIES[name], list(COMPANIES).index(name)
        seed = DEFAULT_SEED if seed is None else seed
    elif name in COHORT_COMPANIES:
        cohort = cohort or DEFAULT_COHORT
        profile, stream = cohort_profile(name, cohort), 100 + list(COHORT_COMPANIES).index(name)
        seed = cohort_seed(cohort) if seed is None else seed
    else:
        raise ValueError(_("Unknown company '{name}'. Choose one of: {known}.", name=name,
                           known=", ".join([*COMPANIES, *COHORT_COMPANIES])))
    if overrides:
        changeable = [f.name for f in fields(CompanyProfile) if f.name != "name"]
        unknown = sorted(set(overrides) - set(changeable))
        if unknown:
            raise ValueError(_("Cannot override {keys}; parameters you can change: {known}.", keys=", ".join(unknown),
                               known=", ".join(changeable)))
        profile = replace(profile, **overrides)
    size = profile.default_leads if size is None else int(size)
    if size < 100:
        raise ValueError(_("size must be at least 100 leads (got {size}).", size=size))
    # One independent random stream per part of the company, so each part is reproducible on its own.
    streams = dict(zip(("staff", "campaigns", "leads", "deals", "work", "history", "selling", "journey"),
                       np.random.SeedSequence([seed, stream]).spawn(8), strict=True))
    rng = {part: np.random.default_rng(stream) for part, stream in streams.items()}
    return profile, size, rng, cohort, seed


def generate_leads(name: str, seed: int | None = None, cohort: str | None = None,
                   overrides: dict[str, Any] | None = None) -> pd.DataFrame:
    """Only the leads table of :func:`generate_company` (the same rows, drawn the same way, in a fraction of the
    time): for experiments that change how leads are handed over and worked, and look no further than the funnel."""
    profile, size, rng, _cohort, _seed = _setup(name, seed, None, overrides, cohort)
    employees, _moves = _staff(rng["staff"], profile)
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        leads, _touchpoints, _draws = _leads(rng["leads"], profile, size, _campaigns(rng["campaigns"], profile, size),
                                             employees, pool)
    return leads


def generate_company(name: str, seed: int | None = None, size: int | None = None,
                     progress: Callable[[str], None] | None = None,
                     overrides: dict[str, Any] | None = None, cohort: str | None = None,
                     ) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every table of one synthetic company.

    Args:
        name: a course company (lumen, ferro, bloom) or a company of the graded work (argo, vela, tide).
        seed: the random seed (default: 2024 for a course company; the cohort's own for a graded one).
        size: the number of leads (default: the company's own).
        progress: called with the name of each table as it is drawn.
        overrides: true parameters to replace, for experiments the real world does not allow:
            ``{"segment_mix": ...}`` gives the same company selling to another market.
        cohort: for a graded company, the cohort of learners it is drawn for (default: the committed one).

    Returns:
        The tables as DataFrames, and the true parameters (the content of company.json; for a graded company
        only :data:`PUBLIC_PARAMETERS`, its cohort and the course company it is like). The same arguments
        always give the same data.
    """
    profile, size, rng, cohort, seed = _setup(name, seed, size, overrides, cohort)
    step = progress or (lambda _label: None)
    tables: dict[str, pd.DataFrame] = {}
    step("employees")
    tables["employees"], tables["career_moves"] = _staff(rng["staff"], profile)
    step("campaigns")
    tables["campaigns"] = _campaigns(rng["campaigns"], profile, size)
    step("leads")
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        tables["leads"], touchpoints, draws = _leads(rng["leads"], profile, size, tables["campaigns"],
                                                     tables["employees"], pool)
        # While the touchpoints table is built on the other core, the deals and the rest are drawn here.
        step("opportunities")
        tables["opportunities"], tables["accounts"], tables["opportunity_history"], deal_draws = _deals(
            rng["deals"], profile, tables["leads"], draws, rng["history"])
        tables["opportunities"] = sales_records(rng["selling"], profile, tables["opportunities"],
                                                tables["opportunity_history"], deal_draws)
        if profile.orders_per_lead:
            step("orders")
            tables["orders"] = _orders(rng["deals"], profile, size, tables["campaigns"])
        step("support tickets")
        tables["support_tickets"] = _tickets(rng["deals"], profile, tables["accounts"], tables.get("orders"))
        step("activities")
        tables["activities"] = _activities(rng["work"], profile, tables["employees"])
        step("targets")
        tables["targets"] = _targets(rng["work"], profile, tables)
        step("touchpoints")
        tables["touchpoints"] = touchpoints.result()
    step("later touchpoints")
    tables["later_touchpoints"] = later_touches(rng["journey"], tables["campaigns"], tables["leads"],
                                                tables["opportunities"], len(tables["touchpoints"]) + 1)
    ordered = {t: tables[t] for t in schema.TABLES if t in tables}
    params = profile.to_json(seed, size)
    if name in COHORT_COMPANIES:
        # Learners see a graded company's name and story, not the causes their tasks ask them to find (its
        # threshold, its response decay…): those stay with the generator, drawn again from the cohort's name.
        params = {key: params[key] for key in PUBLIC_PARAMETERS if key in params}
        params.update(cohort=cohort, like=COHORT_COMPANIES[name].like)
    return ordered, params


def simulate_company(name: str, label: str | None = None, seed: int | None = None, size: int | None = None,
                     **overrides: Any) -> Company:
    """A synthetic company generated in memory, with some true parameters changed: a "what if" that
    no real company can run, e.g. ``simulate_company("ferro", "ferro selling like lumen",
    segment_mix=COMPANIES["lumen"].segment_mix)``. Nothing is written to disk."""
    tables, params = generate_company(name, seed=seed, size=size, overrides=overrides)
    missing = tuple(t for t in schema.TABLES if t not in tables)
    tables.update({t: parse_empty(schema.TABLES[t]) for t in missing})  # as load_company does
    return Company(name=label or name, folder=Path(), tables=tables, params=params, missing=missing)


def write_readme(folder: str | os.PathLike[str]) -> Path:
    """Write datasets/README.md: the companies, their stories, and the data dictionary from the schema."""
    lines = [
        "# Datasets",
        "",
        "Synthetic companies for the course, made by `smarketing generate` (seeded: the same seed gives the same",
        "bytes). Each folder holds one CSV per table and `company.json`, the true parameters the generator used",
        "(for the graded companies only who they are and their cohort: their causes are for learners to find).",
        "Regenerate them all with `make datasets`. *This file is written by `smarketing dictionary`; do not edit it.*",
        "",
        "| company | kind | story | leads | alignment |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| `{p.name}` | {p.kind} | {p.story} | {p.default_leads:,} | {p.alignment} |" for p in COMPANIES.values()]
    lines += ["", "The graded exercises use three other companies, drawn anew for each cohort of learners from the name",
              f"of the cohort (the committed ones: `{DEFAULT_COHORT}`), so that no course notebook has analysed them and",
              "last term's answers are wrong this term. Each is like one course company, with parameters of its own:",
              "", "| company | like | kind | story |", "|---|---|---|---|"]
    lines += [f"| `{c.name}` | `{c.like}` | {c.kind} | {c.story} |" for c in COHORT_COMPANIES.values()]
    lines += ["", "## What causes what", "", CAUSES, "",
              "## Data dictionary", "", schema.data_dictionary_markdown()]
    path = Path(folder) / "README.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
