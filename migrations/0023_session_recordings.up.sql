-- Terminal sessions are recorded in asciicast v2 by the node that relays them: a header, then chunks of event
-- lines appended as the session goes (so a crash loses at most the last second), kept by age and total size.
CREATE TABLE session_recordings (
    session_id uuid PRIMARY KEY REFERENCES remote_sessions ON DELETE CASCADE,
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    header jsonb NOT NULL CHECK (jsonb_typeof(header) = 'object'),
    started_at timestamptz NOT NULL,
    bytes bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    events bigint NOT NULL DEFAULT 0 CHECK (events >= 0),
    -- Bytes of output the recorder had to drop (the database unreachable for long): said, never hidden.
    dropped_bytes bigint NOT NULL DEFAULT 0 CHECK (dropped_bytes >= 0),
    last_at timestamptz
);
CREATE INDEX session_recordings_started_idx ON session_recordings (started_at);

CREATE TABLE session_recording_chunks (
    session_id uuid NOT NULL REFERENCES session_recordings ON DELETE CASCADE,
    seq integer NOT NULL CHECK (seq >= 0),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (session_id, seq)
);

ALTER TABLE session_recordings ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_recordings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON session_recordings USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE session_recording_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_recording_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON session_recording_chunks USING (breeze_site_visible(partner_id, org_id, site_id));

-- Watching what someone else did in a terminal is an auditor's right; a session's maker may always see their own.
INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'sessions', 'recordings'),
    ('org-admin', 'sessions', 'recordings')
) AS p(role_name, resource, action) ON p.role_name = r.name
WHERE r.builtin AND r.partner_id IS NULL;
