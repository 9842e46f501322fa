"""How CRMs name things, onto the course's names: the columns of their exports, their lead sources, deal
stages, loss reasons and lead ratings. A user's YAML mapping file (:mod:`.mapping_file`) has the same shape as
the built-in mappings.

Every label here is the vendor's own, from its documentation: HubSpot's default contact and deal properties;
Salesforce's field labels (reports) and API names (Data Loader and API extracts), from the Salesforce field
reference; Zoho CRM's standard fields of Leads and Deals (Potentials in older accounts), from Zoho's "CRM modules
and fields"; Dynamics 365 Sales' display names of the lead and opportunity tables, from Microsoft's table
reference, with the "(Do Not Modify)" ID columns its Excel exports add; Pipedrive's API field names (an extract of
its Persons and Deals through the API or a sync tool), from the models of its API reference as its official
client libraries publish them. Pipedrive's spreadsheet-export labels could not be confirmed there:
`smarketing workshop mapping --init` drafts a mapping for them."""

from __future__ import annotations

from typing import Any

# Each field lists the column names an export may use for it (first found wins).
HUBSPOT: dict[str, Any] = {
    "name": "hubspot",
    "leads": {
        "lead_id": ["Record ID", "Contact ID"],
        "created_at": ["Create Date", "Create date"],
        "channel": ["Original Source", "Original source"],
        "score": ["HubSpot Score", "Lead Score"],
        "mql_at": ["Became a Marketing Qualified Lead Date", "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\""],
        "sal_at": ["First Engagement Date"],  # not "Last Contacted": the latest contact, not the first
        "sql_at": ["Became a Sales Qualified Lead Date", "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\""],
        "owner": ["Contact owner", "Contact Owner", "HubSpot Owner"],
        "employees": ["Number of Employees", "Number of employees"],
    },
    "deals": {
        "opportunity_id": ["Record ID", "Deal ID"],
        "lead_id": ["Associated Contact IDs", "Associated Contact ID", "Contact ID"],
        "owner": ["Deal owner", "Deal Owner"],
        "created_at": ["Create Date", "Create date"],
        "amount": ["Amount in company currency", "Amount"],  # one currency in multi-currency portals
        "stage": ["Deal Stage", "Deal stage"],
        "closed_at": ["Close Date", "Close date"],
        "loss_reason": ["Closed Lost Reason", "Closed lost reason"],
    },
}

SALESFORCE: dict[str, Any] = {  # report labels first, then API names (Data Loader, the API)
    "name": "salesforce",
    "leads": {
        "lead_id": ["Lead ID", "Id"],
        "created_at": ["Created Date", "Create Date", "CreatedDate"],
        "channel": ["Lead Source", "LeadSource"],
        "score": ["Lead Score", "Rating"],
        "mql_at": ["MQL Date"],
        "sal_at": ["First Response Date", "First Activity Date"],
        "sql_at": ["Converted Date", "ConvertedDate"],
        "owner": ["Lead Owner", "OwnerId"],
        "employees": ["No. of Employees", "Employees", "NumberOfEmployees"],
        "opportunity_ref": ["Converted Opportunity ID", "ConvertedOpportunityId"],
    },
    "deals": {
        "opportunity_id": ["Opportunity ID", "Id"],
        "lead_id": ["Lead ID", "Converted Lead ID"],
        "owner": ["Opportunity Owner", "OwnerId"],
        "created_at": ["Created Date", "Create Date", "CreatedDate"],
        "amount": ["Amount"],
        "stage": ["Stage", "StageName"],
        "closed_at": ["Close Date", "CloseDate"],
        "loss_reason": ["Loss Reason", "Closed Lost Reason"],
    },
}

ZOHO: dict[str, Any] = {
    "name": "zoho",
    "leads": {
        "lead_id": ["Record Id", "Lead Id"],
        "created_at": ["Created Time"],
        "channel": ["Lead Source"],
        "owner": ["Lead Owner"],
        "employees": ["No. of Employees"],
    },
    "deals": {  # Zoho's Deals; Potentials in accounts from before 2016
        "opportunity_id": ["Record Id", "Deal Id", "Potential Id"],
        "owner": ["Deal Owner", "Potential Owner"],
        "created_at": ["Created Time"],
        "amount": ["Amount"],
        "stage": ["Stage"],
        "closed_at": ["Closing Date"],
    },
}

DYNAMICS: dict[str, Any] = {
    "name": "dynamics",
    "leads": {
        "lead_id": ["(Do Not Modify) Lead"],
        "created_at": ["Created On"],
        "channel": ["Lead Source"],
        "score": ["Rating"],
        "owner": ["Owner"],
        "employees": ["No. of Employees"],
    },
    "deals": {  # its Excel export names the originating lead, not its ID: leads and deals stay side by side
        "opportunity_id": ["(Do Not Modify) Opportunity"],
        "owner": ["Owner"],
        "created_at": ["Created On"],
        "amount": ["Est. Revenue", "Actual Revenue"],
        "stage": ["Pipeline Phase", "Sales Stage"],
        "status": ["Status"],
        "closed_at": ["Actual Close Date"],
    },
}

PIPEDRIVE: dict[str, Any] = {
    "name": "pipedrive",
    "leads": {  # its Persons: a deal names the person it is for (person_id), so leads and deals link
        "lead_id": ["id"],
        "created_at": ["add_time"],
        "owner": ["owner_id", "owner_name"],  # the user ID, as the deals name their owner
    },
    "deals": {
        "opportunity_id": ["id"],
        "lead_id": ["person_id"],
        "owner": ["user_id"],
        "created_at": ["add_time"],
        "amount": ["value"],
        "stage": ["stage_id"],  # an ID of the account's own pipeline: placed as unknown unless a mapping names it
        "status": ["status"],
        "closed_at": ["close_time", "won_time", "lost_time"],
        "loss_reason": ["lost_reason"],
    },
}

MAPPINGS = {"hubspot": HUBSPOT, "salesforce": SALESFORCE, "zoho": ZOHO, "dynamics": DYNAMICS, "pipedrive": PIPEDRIVE}
# The course fields a mapping file may name. ``status`` is for CRMs that keep won/lost apart from the
# pipeline stage (Pipedrive's Status: open, won, lost, deleted; Dynamics 365's Status: Open, Won, Lost).
FIELDS = {kind: tuple(dict.fromkeys(f for m in MAPPINGS.values() for f in m[kind])) for kind in ("leads", "deals")}
FIELDS["deals"] += tuple(f for f in ("status",) if f not in FIELDS["deals"])
STATUSES = {"open": "open", "won": "won", "lost": "lost", "deleted": "deleted", "closed won": "won",
            "closed lost": "lost", "active": "open", "赢单": "won", "输单": "lost", "进行中": "open"}

# Lead sources as HubSpot and Salesforce name them, onto the course channels (case-insensitive).
CHANNELS = {
    "paid search": "paid_search", "organic search": "content", "email marketing": "email", "email": "email",
    "social media": "paid_social", "organic social": "paid_social", "paid social": "paid_social",
    "referrals": "referral", "referral": "referral", "direct traffic": "content", "offline sources": "events",
    "other campaigns": "partner", "ai referrals": "referral",
    "web": "content", "website": "content", "phone inquiry": "referral", "partner referral": "partner",
    "partner": "partner", "purchased list": "email", "trade show": "events", "word of mouth": "referral",
    "employee referral": "referral", "external referral": "referral", "advertisement": "paid_search",
    "seminar - internal": "webinar", "seminar - partner": "webinar", "webinar": "webinar", "other": "content",
    "events": "events", "content": "content",
    # Zoho CRM's and Dynamics 365's lead sources
    "web download": "content", "web research": "content", "online store": "content", "chat": "content",
    "public relations": "content", "internal seminar": "webinar", "seminar partner": "partner",
    "seminar": "webinar", "facebook": "paid_social", "twitter": "paid_social", "x (twitter)": "paid_social",
    "sales email alias": "email",
    # HubSpot's internal values of Original Source, as its API and some exports write them
    "paid_search": "paid_search", "organic_search": "content", "email_marketing": "email",
    "social_media": "paid_social", "paid_social": "paid_social",  # REFERRALS: as its label, above
    "direct_traffic": "content", "offline": "events", "other_campaigns": "partner", "ai_referrals": "referral",
}
# Deal stages of both CRMs (labels and HubSpot's internal names) onto the course's stages.
STAGES = {
    "appointment scheduled": "prospecting", "appointmentscheduled": "prospecting", "prospecting": "prospecting",
    "qualified to buy": "qualification", "qualifiedtobuy": "qualification", "qualification": "qualification",
    "needs analysis": "qualification", "presentation scheduled": "proposal", "presentationscheduled": "proposal",
    "decision maker bought-in": "proposal", "decisionmakerboughtin": "proposal", "value proposition": "proposal",
    "id. decision makers": "proposal", "perception analysis": "proposal", "proposal/price quote": "proposal",
    "contract sent": "negotiation", "contractsent": "negotiation", "negotiation/review": "negotiation",
    "closed won": "closed_won", "closedwon": "closed_won", "closed lost": "closed_lost", "closedlost": "closed_lost",
    # Zoho CRM's deal stages beyond Salesforce's; Dynamics 365's sales stages and pipeline phases, in order
    "identify decision makers": "proposal", "closed lost to competition": "closed_lost",
    "qualify": "prospecting", "develop": "qualification", "propose": "proposal", "close": "negotiation",
    "1-qualify": "prospecting", "2-develop": "qualification", "3-propose": "proposal", "4-close": "negotiation",
}
LOSS_REASONS = {"price": "price", "too expensive": "price", "budget": "price", "competitor": "competitor",
                "lost to competitor": "competitor", "no decision": "no_decision", "no response": "no_decision",
                "timing": "timing", "bad timing": "timing", "product fit": "product_fit", "missing feature": "product_fit"}
RATINGS = {"hot": 85, "warm": 55, "cold": 20}
# What a CRM export cannot hold: an import writes these tables empty and lists them as missing.
NOT_IN_A_CRM_EXPORT = ("touchpoints", "later_touchpoints", "support_tickets", "orders", "career_moves", "activities",
                       "targets", "opportunity_history")
