-- Live sessions on devices (terminal, files; the remote desktop later): who opened which on what, when it
-- started and ended, the bytes each way, and where it is relayed. The row is the session's audit record; the
-- audit log gets an entry when it opens and one when it ends.
CREATE TABLE remote_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('terminal', 'files')),
    -- pending: made, no console has connected yet; active: a console is attached; detached: its console left
    -- and may come back (the agent keeps the session for a while); closed: over for good.
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'detached', 'closed')),
    user_id uuid REFERENCES users ON DELETE SET NULL,
    actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key')),
    actor_id uuid NOT NULL,
    actor_label text NOT NULL,
    address text NOT NULL DEFAULT '',
    -- What the session may do, fixed when it was made: for terminals the size asked for, for files the
    -- rights and the root folder the caller's roles grant.
    grants jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(grants) = 'object'),
    -- A one-use token the console presents to the relay (only its SHA-256 is kept), and until when.
    token_hash text UNIQUE,
    token_expires_at timestamptz,
    relay_url text NOT NULL DEFAULT '',
    started_at timestamptz NOT NULL DEFAULT now(),
    attached_at timestamptz,
    detached_at timestamptz,
    ended_at timestamptz,
    end_reason text NOT NULL DEFAULT '' CHECK (length(end_reason) <= 500),
    exit_code integer,
    bytes_to_device bigint NOT NULL DEFAULT 0 CHECK (bytes_to_device >= 0),
    bytes_from_device bigint NOT NULL DEFAULT 0 CHECK (bytes_from_device >= 0),
    attach_count integer NOT NULL DEFAULT 0
);
CREATE INDEX remote_sessions_device_idx ON remote_sessions (device_id, started_at DESC);
CREATE INDEX remote_sessions_partner_idx ON remote_sessions (partner_id, started_at DESC);
CREATE INDEX remote_sessions_live_idx ON remote_sessions (state) WHERE state <> 'closed';

ALTER TABLE remote_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE remote_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON remote_sessions USING (breeze_site_visible(partner_id, org_id, site_id));

-- Where a connected device's agent is held: the relay URL of the node whose front door has its connection, so a
-- console opening a session is sent to that node.
ALTER TABLE devices ADD COLUMN relay_url text;

-- A role may keep its file sessions inside one folder of the device.
ALTER TABLE roles ADD COLUMN files_root text CHECK (files_root IS NULL OR (files_root ~ '^/' AND length(files_root) <= 1024));

-- Terminal and file sessions for the built-in roles. Finer file rights are permissions of their own, so a role
-- can be made that only downloads, only uploads, or never deletes.
INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'remote', 'terminal'), ('partner-admin', 'remote', 'files'),
    ('partner-admin', 'remote', 'files_download'), ('partner-admin', 'remote', 'files_upload'),
    ('partner-admin', 'remote', 'files_delete'), ('partner-admin', 'sessions', 'read'),
    ('org-admin', 'remote', 'terminal'), ('org-admin', 'remote', 'files'),
    ('org-admin', 'remote', 'files_download'), ('org-admin', 'remote', 'files_upload'),
    ('org-admin', 'remote', 'files_delete'), ('org-admin', 'sessions', 'read'),
    ('technician', 'remote', 'terminal'), ('technician', 'remote', 'files'),
    ('technician', 'remote', 'files_download'), ('technician', 'remote', 'files_upload'),
    ('technician', 'remote', 'files_delete'), ('technician', 'sessions', 'read'),
    ('read-only', 'sessions', 'read')
) AS p(role_name, resource, action) ON p.role_name = r.name
WHERE r.builtin AND r.partner_id IS NULL;
