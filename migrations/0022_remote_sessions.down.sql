DELETE FROM role_permissions WHERE resource IN ('remote', 'sessions');
ALTER TABLE roles DROP COLUMN files_root;
ALTER TABLE devices DROP COLUMN relay_url;
DROP TABLE remote_sessions;
