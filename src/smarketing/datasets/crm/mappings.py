"""How HubSpot and Salesforce name things, onto the course's names: the columns of their exports, their lead
sources, deal stages, loss reasons and lead ratings. A user's YAML mapping file (:mod:`.mapping_file`) has
the same shape as :data:`HUBSPOT` and :data:`SALESFORCE`."""

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

SALESFORCE: dict[str, Any] = {
    "name": "salesforce",
    "leads": {
        "lead_id": ["Lead ID"],
        "created_at": ["Created Date", "Create Date"],
        "channel": ["Lead Source"],
        "score": ["Lead Score", "Rating"],
        "mql_at": ["MQL Date"],
        "sal_at": ["First Response Date", "First Activity Date"],
        "sql_at": ["Converted Date"],
        "owner": ["Lead Owner"],
        "employees": ["No. of Employees", "Employees"],
        "opportunity_ref": ["Converted Opportunity ID"],
    },
    "deals": {
        "opportunity_id": ["Opportunity ID"],
        "lead_id": ["Lead ID", "Converted Lead ID"],
        "owner": ["Opportunity Owner"],
        "created_at": ["Created Date", "Create Date"],
        "amount": ["Amount"],
        "stage": ["Stage"],
        "closed_at": ["Close Date"],
        "loss_reason": ["Loss Reason", "Closed Lost Reason"],
    },
}

MAPPINGS = {"hubspot": HUBSPOT, "salesforce": SALESFORCE}
# The course fields a mapping file may name. ``status`` is for CRMs that keep won/lost apart from the
# pipeline stage (Pipedrive's Status: open, won, lost, deleted; Dynamics 365's Status: Open, Won, Lost).
FIELDS = {kind: tuple(dict.fromkeys(f for m in MAPPINGS.values() for f in m[kind])) for kind in ("leads", "deals")}
FIELDS["deals"] += ("status",)
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
}
LOSS_REASONS = {"price": "price", "too expensive": "price", "budget": "price", "competitor": "competitor",
                "lost to competitor": "competitor", "no decision": "no_decision", "no response": "no_decision",
                "timing": "timing", "bad timing": "timing", "product fit": "product_fit", "missing feature": "product_fit"}
RATINGS = {"hot": 85, "warm": 55, "cold": 20}
# What a CRM export cannot hold: an import writes these tables empty and lists them as missing.
NOT_IN_A_CRM_EXPORT = ("touchpoints", "support_tickets", "orders", "career_moves", "activities", "targets")
