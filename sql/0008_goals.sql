-- 0008: goals and ROI. Objectives with a target over a period, the campaigns
-- that work towards them, tracked links, the hits those links and the pixel
-- record, conversions, investments in money and staff time, hourly rates and
-- running timers. Same dialect rules as 0001. Money is in cents, staff time
-- in minutes, days are 'YYYY-MM-DD' (UTC days), instants UTC milliseconds.
-- Hits and conversions keep no raw IP address: only a hash under a salt that
-- changes every day (see docs/privacy-tracking.md).

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    name TEXT NOT NULL,
    metric TEXT NOT NULL CHECK (metric IN ('conversions', 'revenue', 'clicks', 'contacts')),
    event TEXT,                -- the conversion event counted (conversions, revenue)
    stage TEXT,                -- the contact stage counted (contacts)
    target INTEGER NOT NULL CHECK (target > 0), -- a count, or cents for revenue
    start_day TEXT NOT NULL,
    end_day TEXT NOT NULL,
    owner_user_id INTEGER,
    department TEXT NOT NULL DEFAULT '',
    channels TEXT NOT NULL DEFAULT '',  -- comma-separated channel names
    funnel TEXT NOT NULL DEFAULT '',    -- comma-separated ordered steps; '' = click,visit,EVENT
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (workspace_id, id)
) STRICT;

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    objective_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    start_day TEXT,
    end_day TEXT,
    budget_cents INTEGER,
    target INTEGER,            -- the conversions this campaign is expected to bring; NULL = a share
    utm_campaign TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, objective_id) REFERENCES objectives (workspace_id, id)
) STRICT;
CREATE INDEX campaigns_objective ON campaigns (workspace_id, objective_id, id);

-- slug is unique across workspaces: /l/{slug} names the link alone.
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    campaign_id INTEGER,
    slug TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, id),
    FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
) STRICT;
CREATE INDEX links_campaign ON links (workspace_id, campaign_id, id);

-- Clicks on tracked links and pixel events, written in batches by one writer.
-- kind 'click': link_id is the link followed, pz the click id handed out.
-- kind 'event': event names what the pixel reported; link_id is the link
-- whose click id (pz) the page carried, if any.
CREATE TABLE hits (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('click', 'event')),
    at INTEGER NOT NULL,
    link_id INTEGER,
    event TEXT,
    pz TEXT,
    referrer TEXT,             -- the referring site's domain only
    device TEXT NOT NULL,      -- mobile, tablet, desktop, bot, other
    visitor TEXT NOT NULL      -- hash of address and browser under the day's salt
) STRICT;
-- Partial indexes: a click enters only hits_link, a site event without a
-- click id only hits_event, so the writer keeps up with the traffic.
CREATE INDEX hits_link ON hits (workspace_id, link_id, kind, at) WHERE link_id IS NOT NULL;
CREATE INDEX hits_event ON hits (workspace_id, event, at) WHERE kind = 'event';

CREATE TABLE conversions (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    at INTEGER NOT NULL,
    value_cents INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'EUR',
    pz TEXT,
    link_id INTEGER,           -- attributed link (last touch within 30 days), or NULL
    contact_id INTEGER,
    idempotency_key TEXT NOT NULL,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (workspace_id, idempotency_key)
) STRICT;
CREATE INDEX conversions_event ON conversions (workspace_id, event, at);
CREATE INDEX conversions_link ON conversions (workspace_id, link_id, at);
CREATE INDEX conversions_contact ON conversions (workspace_id, contact_id, at);

CREATE TABLE investments (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('money', 'time')),
    day TEXT NOT NULL,
    objective_id INTEGER,
    campaign_id INTEGER,
    amount_cents INTEGER,      -- money
    currency TEXT,             -- money
    category TEXT CHECK (category IS NULL OR category IN ('ads', 'consultant', 'tools',
        'content', 'training')),
    user_id INTEGER,           -- time: whose hours
    minutes INTEGER,           -- time
    activity TEXT,             -- time
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    CHECK ((kind = 'money' AND amount_cents IS NOT NULL AND currency IS NOT NULL
            AND category IS NOT NULL)
        OR (kind = 'time' AND user_id IS NOT NULL AND minutes IS NOT NULL))
) STRICT;
CREATE INDEX investments_objective ON investments (workspace_id, objective_id, day);
CREATE INDEX investments_campaign ON investments (workspace_id, campaign_id, day);

-- Hourly cost of staff time, set by an owner: per user, else per role.
CREATE TABLE hourly_rates (
    workspace_id INTEGER NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('user', 'role')),
    subject TEXT NOT NULL,     -- the user id, or the role name
    rate_cents INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, scope, subject)
) STRICT;

-- A running start/stop timer, at most one per user.
CREATE TABLE timers (
    workspace_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    objective_id INTEGER,
    campaign_id INTEGER,
    activity TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (workspace_id, user_id)
) STRICT;
