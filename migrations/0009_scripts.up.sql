-- The script library and script execution. A script belongs to the partner-wide library (org_id NULL, shared
-- by every organisation) or to one organisation. What runs is an immutable version; a save adds one. A run is
-- a batch of device commands (type run_script), one per device, following the command state machine; their
-- output arrives in chunks, kept per stream as the agent sent it (bytes, not text: scripts print anything).
CREATE TABLE scripts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    category text NOT NULL DEFAULT '' CHECK (length(category) <= 100),
    tags text[] NOT NULL DEFAULT '{}' CHECK (breeze_valid_tags(tags)),
    current_version integer NOT NULL DEFAULT 1,
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Deleted scripts stay for the history of what ran; they leave the library and free their name.
    deleted_at timestamptz,
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX scripts_name_key ON scripts (partner_id, coalesce(org_id, partner_id), lower(name))
    WHERE deleted_at IS NULL;

CREATE TABLE script_versions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    script_id uuid NOT NULL REFERENCES scripts ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid,
    version integer NOT NULL CHECK (version >= 1),
    language text NOT NULL CHECK (language IN ('bash', 'sh', 'python', 'powershell')),
    os text[] NOT NULL CHECK (cardinality(os) BETWEEN 1 AND 3 AND os <@ ARRAY['linux', 'windows', 'macos']),
    content text NOT NULL CHECK (octet_length(content) <= 262144),
    parameters jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(parameters) = 'array'),
    timeout_seconds integer NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 86400),
    run_as text NOT NULL DEFAULT '' CHECK (run_as ~ '^([a-z_][a-z0-9_.-]{0,31})?$'),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    restored_from integer,
    created_by text NOT NULL DEFAULT '',
    created_by_user uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (script_id, version)
);

CREATE TABLE script_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    -- Set when every target is in one organisation; a partner-wide run is visible to partner-wide scopes only
    -- (each organisation still sees its own executions).
    org_id uuid,
    script_id uuid NOT NULL REFERENCES scripts ON DELETE CASCADE,
    script_version_id uuid NOT NULL REFERENCES script_versions ON DELETE CASCADE,
    parameters jsonb NOT NULL DEFAULT '{}', -- secrets redacted
    targets jsonb NOT NULL,
    device_count integer NOT NULL,
    refused jsonb NOT NULL DEFAULT '[]',
    requested_by text NOT NULL DEFAULT '',
    requested_by_user uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX script_runs_script_idx ON script_runs (script_id, created_at DESC);

ALTER TABLE device_commands
    ADD COLUMN script_id uuid REFERENCES scripts ON DELETE CASCADE,
    ADD COLUMN script_version_id uuid REFERENCES script_versions ON DELETE CASCADE,
    ADD COLUMN run_id uuid REFERENCES script_runs ON DELETE CASCADE;
CREATE INDEX device_commands_run_idx ON device_commands (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX device_commands_script_idx ON device_commands (script_id, created_at DESC) WHERE script_id IS NOT NULL;
CREATE INDEX device_commands_user_idx ON device_commands (requested_by_user, created_at DESC);

-- stream 1 is stdout, 2 stderr; offset is where the chunk starts in its stream (a resent chunk is a no-op).
CREATE TABLE command_output (
    command_id uuid NOT NULL REFERENCES device_commands ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    stream smallint NOT NULL CHECK (stream IN (1, 2)),
    byte_offset integer NOT NULL CHECK (byte_offset >= 0),
    data bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 65536),
    PRIMARY KEY (command_id, stream, byte_offset)
);

ALTER TABLE scripts ENABLE ROW LEVEL SECURITY;
ALTER TABLE scripts FORCE ROW LEVEL SECURITY;
-- Everyone in the partner reads the partner-wide library; writing it takes a partner-wide scope.
CREATE POLICY tenant_read ON scripts FOR SELECT USING (breeze_system() OR (partner_id = breeze_partner()
    AND (org_id IS NULL OR breeze_org_visible(partner_id, org_id))));
CREATE POLICY tenant_insert ON scripts FOR INSERT WITH CHECK (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);
CREATE POLICY tenant_update ON scripts FOR UPDATE USING (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);
CREATE POLICY tenant_delete ON scripts FOR DELETE USING (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE script_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE script_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON script_versions FOR SELECT USING (breeze_system() OR (partner_id = breeze_partner()
    AND (org_id IS NULL OR breeze_org_visible(partner_id, org_id))));
CREATE POLICY tenant_insert ON script_versions FOR INSERT WITH CHECK (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE script_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE script_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON script_runs USING (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE command_output ENABLE ROW LEVEL SECURITY;
ALTER TABLE command_output FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON command_output USING (breeze_site_visible(partner_id, org_id, site_id));

SELECT set_config('breeze.system', 'on', true);
INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'scripts', 'read'), ('partner-admin', 'scripts', 'write'), ('partner-admin', 'scripts', 'execute'),
    ('org-admin', 'scripts', 'read'), ('org-admin', 'scripts', 'write'), ('org-admin', 'scripts', 'execute'),
    ('technician', 'scripts', 'read'), ('technician', 'scripts', 'write'), ('technician', 'scripts', 'execute'),
    ('read-only', 'scripts', 'read')
) AS p (role, resource, action) ON p.role = r.name AND r.partner_id IS NULL;
