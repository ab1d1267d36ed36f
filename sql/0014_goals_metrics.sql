-- 0014: goals measure the inbox and contact stages properly.
--
-- An objective may measure the response time of the company's conversations
-- ('response_time': the median minutes between a customer's message and the
-- company's next reply; the target is a maximum). SQLite cannot change a
-- CHECK in place, and a table that other tables reference cannot be dropped
-- under foreign keys while they point at it, so objectives are rebuilt with
-- the two tables that reference them in a chain (campaigns, links): the old
-- ones are renamed away (their references follow), new ones made and filled,
-- then the old ones dropped, children first.
--
-- "New contacts in a stage" counts contacts that entered the stage in the
-- period: the timeline's stage_change entries say when, read through an index
-- by kind and time.

ALTER TABLE links RENAME TO links_0008;
ALTER TABLE campaigns RENAME TO campaigns_0008;
ALTER TABLE objectives RENAME TO objectives_0008;

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (workspace_id),
    name TEXT NOT NULL,
    metric TEXT NOT NULL CHECK (metric IN ('conversions', 'revenue', 'clicks', 'contacts',
        'response_time')),
    event TEXT,                -- the conversion event counted (conversions, revenue)
    stage TEXT,                -- the contact stage counted (contacts)
    target INTEGER NOT NULL CHECK (target > 0), -- a count, cents for revenue, minutes for response_time
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

INSERT INTO objectives (id, workspace_id, name, metric, event, stage, target, start_day, end_day,
    owner_user_id, department, channels, funnel, created_at, updated_at)
    SELECT id, workspace_id, name, metric, event, stage, target, start_day, end_day,
        owner_user_id, department, channels, funnel, created_at, updated_at
    FROM objectives_0008;
INSERT INTO campaigns (id, workspace_id, objective_id, name, channel, start_day, end_day,
    budget_cents, target, utm_campaign, created_at, updated_at)
    SELECT id, workspace_id, objective_id, name, channel, start_day, end_day,
        budget_cents, target, utm_campaign, created_at, updated_at
    FROM campaigns_0008;
INSERT INTO links (id, workspace_id, campaign_id, slug, url, name, created_by, created_at)
    SELECT id, workspace_id, campaign_id, slug, url, name, created_by, created_at
    FROM links_0008;

DROP TABLE links_0008;
DROP TABLE campaigns_0008;
DROP TABLE objectives_0008;

CREATE INDEX campaigns_objective ON campaigns (workspace_id, objective_id, id);
CREATE INDEX links_campaign ON links (workspace_id, campaign_id, id);

CREATE INDEX timeline_kind ON timeline_entries (workspace_id, kind, at);
