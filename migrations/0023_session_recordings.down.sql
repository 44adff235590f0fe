DELETE FROM role_permissions WHERE resource = 'sessions' AND action = 'recordings';
DROP TABLE session_recording_chunks;
DROP TABLE session_recordings;
