-- 0017: the SLA-breaching view and the sidebar's counts without reading every
-- conversation. A conversation breaches its SLA when it is not resolved and
-- either missed a deadline (sla_breached = 1) or its next deadline has passed
-- (sla_due_at < now). The CASE below is that deadline as one number (0 once
-- missed), so "breaching" is one range of this partial index, which holds
-- only the conversations not resolved; with last_message_at, status and
-- snoozed_until in it, the list's filter and the count read the index alone.
-- The queries repeat the expression exactly (src/inbox/conversation.c,
-- BREACHING) so that the planner matches it.
CREATE INDEX conversations_breach ON conversations (workspace_id,
    (CASE WHEN sla_breached = 1 THEN 0 ELSE sla_due_at END), last_message_at, status,
    snoozed_until) WHERE status <> 'resolved';

-- The counts by status and channel read this index instead of the table's rows.
CREATE INDEX conversations_counts ON conversations (workspace_id, status, channel,
    snoozed_until);
