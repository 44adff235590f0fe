DELETE FROM role_permissions WHERE resource = 'remote' AND action IN ('desktop', 'desktop_view');
DELETE FROM remote_sessions WHERE kind = 'desktop';
ALTER TABLE remote_sessions DROP COLUMN quality;
ALTER TABLE remote_sessions DROP CONSTRAINT remote_sessions_kind_check;
ALTER TABLE remote_sessions ADD CONSTRAINT remote_sessions_kind_check CHECK (kind IN ('terminal', 'files'));
