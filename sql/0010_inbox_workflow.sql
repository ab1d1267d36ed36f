-- 0010: the shared inbox's workflow. The first-response and resolution times
-- in business minutes are kept with the conversation (computed when a message
-- arrives, a reply is posted or the conversation is resolved), so lists never
-- compute them; the inbox has its own time zone for business hours (NULL: the
-- workspace's); and the list's filters get indexes that keep their order
-- (newest activity first) so a page never sorts the whole inbox.

ALTER TABLE conversations ADD COLUMN first_response_minutes INTEGER;
ALTER TABLE conversations ADD COLUMN resolution_minutes INTEGER;
ALTER TABLE inbox_settings ADD COLUMN time_zone TEXT;

CREATE INDEX conversations_channel ON conversations (workspace_id, channel, last_message_at, id);
CREATE INDEX conversations_team ON conversations (workspace_id, team_id, last_message_at, id);
CREATE INDEX conversations_assigned ON conversations (workspace_id, assignee_user_id,
    last_message_at, id);
CREATE INDEX conversations_sla ON conversations (workspace_id, sla_due_at);
