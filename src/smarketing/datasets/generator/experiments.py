"""Experiments that a synthetic company can run and a real one can only estimate: what its leads would have been
had a marketing channel been paused. The generator knows which of a channel's leads its spend caused (the
profile's ``incremental_share``) and which would have come anyway; attribution credits the channel with all of
them. :func:`geo_holdout` gives the data of a geo experiment (the channel paused in some regions for a while),
which :mod:`smarketing.measurement` analyses as a marketer would; :func:`channel_truth` gives the answer that
no real company has, to say how far each attribution rule is from it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from smarketing import schema
from smarketing.attribution import credit_by_channel, won_revenue_by_lead
from smarketing.datasets.company import END, START, Company
from smarketing.datasets.generator.cohorts import COHORT_COMPANIES, DEFAULT_COHORT, cohort_profile
from smarketing.datasets.generator.profiles import COMPANIES, CompanyProfile
from smarketing.measurement import channel_leads_in
from smarketing.messages import _

_STREAM = 7_000  # the random stream of "would have come anyway", apart from every stream that drew the data


def true_profile(company: Company) -> CompanyProfile:
    """The parameters a synthetic company was drawn with (a graded company's from its cohort's name). An imported
    company has none: no one knows which of its leads its spend caused, which is what a holdout test is for."""
    name = company.params.get("name", company.name)
    if name in COMPANIES and company.params.get("kind") == COMPANIES[name].kind:
        return COMPANIES[name]
    if name in COHORT_COMPANIES and company.params.get("cohort"):
        return cohort_profile(name, company.params.get("cohort", DEFAULT_COHORT))
    raise ValueError(_("{name} is not a synthetic company of the course, so what its spend caused is unknown: a "
                       "holdout test can only be simulated on lumen, ferro, bloom, argo, vela or tide. On your own "
                       "company, run a real one (pause a channel in some regions) and analyse it with "
                       "smarketing.measurement.geo_test.", name=company.name))


def came_anyway(company: Company) -> pd.Series:
    """For each lead, whether it would have come had its channel's spend stopped (True) or its channel's spend
    caused it (False): drawn once per company from its seed, so every experiment on it agrees."""
    profile, leads = true_profile(company), company.leads
    rng = np.random.default_rng([int(company.params.get("seed", 0)), _STREAM])
    share = leads["channel"].astype(str).map(profile.incremental_share).fillna(0.0).to_numpy(dtype=float)
    return pd.Series(rng.uniform(size=len(leads)) >= share, index=leads.index, name="came_anyway")


def _moment(value: str | pd.Timestamp | None, default: np.datetime64) -> pd.Timestamp:
    return pd.Timestamp(default if value is None else value)


def geo_holdout(company: Company, channel: str, regions: tuple[str, ...] | list[str],
                start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> Company:
    """The company as its data would be had ``channel`` been paused in ``regions`` from ``start`` (included) to
    ``end`` (excluded; default: the whole period): the leads that channel's spend caused there and then are gone,
    with their touchpoints, deals and accounts; the leads that would have come anyway came by another route
    (channel ``other``, no campaign). Everything else is as the data has it."""
    if channel not in schema.CHANNELS:
        raise ValueError(_("Unknown channel '{channel}'. Choose one of: {known}.", channel=channel,
                           known=", ".join(schema.CHANNELS)))
    unknown = sorted(set(regions) - set(schema.REGIONS))
    if unknown or not regions:
        raise ValueError(_("Hold the channel out in one or more of the regions {known} (got {got}).",
                           known=", ".join(schema.REGIONS), got=", ".join(map(str, regions)) or _("none")))
    first, stop = _moment(start, START), _moment(end, END)
    if not first < stop:
        raise ValueError(_("The holdout must end after it starts (got {start} to {end}).", start=first.date(),
                           end=stop.date()))
    leads = company.leads
    paused = channel_leads_in(leads, channel, regions, first, stop).to_numpy()
    anyway = came_anyway(company).to_numpy()
    gone, rerouted = paused & ~anyway, paused & anyway
    gone_ids = set(leads.loc[gone, "lead_id"])
    kept = leads.loc[~gone].copy()
    moved = rerouted[~gone]
    channels = kept["channel"]
    if isinstance(channels.dtype, pd.CategoricalDtype) and schema.OTHER[0] not in channels.cat.categories:
        channels = channels.cat.add_categories(list(schema.OTHER))
    kept["channel"] = channels.mask(moved, schema.OTHER[0])
    kept["campaign_id"] = kept["campaign_id"].mask(moved)
    tables = dict(company.tables, leads=kept.reset_index(drop=True))
    deals = company.opportunities
    lost_deals = deals["lead_id"].isin(gone_ids)
    tables["opportunities"] = deals.loc[~lost_deals].reset_index(drop=True)
    lost_ids = set(deals.loc[lost_deals, "opportunity_id"])
    for table, key, ids in (("touchpoints", "lead_id", gone_ids), ("opportunity_history", "opportunity_id", lost_ids),
                            ("accounts", "account_id", set(deals.loc[lost_deals, "account_id"].dropna()))):
        if table in tables and key in tables[table]:
            tables[table] = tables[table].loc[~tables[table][key].isin(ids)].reset_index(drop=True)
    where = ", ".join(regions)
    return replace(company, name=_("{name}, {channel} paused in {regions}", name=company.name, channel=channel,
                                   regions=where), tables=tables,
                   params=dict(company.params, holdout={"channel": channel, "regions": list(regions),
                                                        "start": str(first.date()), "end": str(stop.date())}))


def channel_truth(company: Company) -> pd.DataFrame:
    """What each channel caused, against what last-touch attribution credits it with. Per channel: its spend, its
    leads (last touch credits it with each lead it created), the leads its spend caused (those a pause everywhere
    would remove) and their share, the won revenue last touch credits it with, and the won revenue of the leads it
    caused. Only a synthetic company can know the caused columns; a real one estimates them with a holdout."""
    leads, deals = company.leads, company.opportunities
    caused = (~came_anyway(company)).to_numpy()
    channel = leads["channel"].astype(str)
    revenue = leads["lead_id"].map(won_revenue_by_lead(deals)).fillna(0.0)
    table = pd.DataFrame({
        "spend": company.campaigns.groupby(company.campaigns["channel"].astype(str))["spend"].sum(),
        "last_touch_leads": channel.value_counts(),
        "caused_leads": channel[caused].value_counts(),
        "last_touch_revenue": credit_by_channel(company.touchpoints, deals, models=["last_touch"])["last_touch"],
        "caused_revenue": revenue[caused].groupby(channel[caused]).sum(),
    }).reindex([c for c in schema.CHANNELS if c in set(channel)]).fillna(0.0)
    table.insert(3, "caused_share", table["caused_leads"] / table["last_touch_leads"])
    table.index.name = "channel"
    return table
