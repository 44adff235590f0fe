-- Remote desktops: a session kind of their own; remote:desktop watches and controls, remote:desktop_view only
-- watches (a view-only grant is kept in the session's grants, and the relay refuses input on it). Each desktop
-- session keeps a summary of how it went (frames, bitrate, latency percentiles, drops) for the console, the CLI
-- and anyone asking why a session felt slow.
ALTER TABLE remote_sessions DROP CONSTRAINT remote_sessions_kind_check;
ALTER TABLE remote_sessions ADD CONSTRAINT remote_sessions_kind_check CHECK (kind IN ('terminal', 'files', 'desktop'));
ALTER TABLE remote_sessions ADD COLUMN quality jsonb CHECK (quality IS NULL OR jsonb_typeof(quality) = 'object');

INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'remote', 'desktop'), ('partner-admin', 'remote', 'desktop_view'),
    ('org-admin', 'remote', 'desktop'), ('org-admin', 'remote', 'desktop_view'),
    ('technician', 'remote', 'desktop'), ('technician', 'remote', 'desktop_view')
) AS p(role_name, resource, action) ON p.role_name = r.name
WHERE r.builtin AND r.partner_id IS NULL;
