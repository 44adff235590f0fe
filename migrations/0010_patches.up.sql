-- Patch management. The catalog holds each update once per partner (manager, package, architecture, version),
-- however many devices miss it; device_patches says where each one stands on each device. Decisions
-- (approve, reject, defer) are made per patch at one of four levels; the most specific one applies, except that
-- a rejection anywhere wins. Deployments queue patch_install commands, now or at a given time, and every
-- package's outcome is kept with its log.
CREATE TABLE patches (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    manager text NOT NULL CHECK (manager IN ('apt', 'dnf')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
    arch text NOT NULL DEFAULT '' CHECK (length(arch) <= 32),
    version text NOT NULL CHECK (length(version) BETWEEN 1 AND 128),
    repository text NOT NULL DEFAULT '' CHECK (length(repository) <= 512),
    security boolean NOT NULL DEFAULT false,
    severity text NOT NULL DEFAULT '' CHECK (severity IN ('', 'critical', 'important', 'moderate', 'low')),
    size_bytes bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
    reboot_hint boolean NOT NULL DEFAULT false,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, manager, name, arch, version)
);
CREATE INDEX patches_name_idx ON patches (partner_id, name);

CREATE TABLE device_patches (
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    patch_id uuid NOT NULL REFERENCES patches ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    state text NOT NULL CHECK (state IN ('missing', 'installed', 'failed', 'pending_reboot')),
    -- The version the device had when the update was found: what a rollback goes back to.
    installed_version text NOT NULL DEFAULT '',
    last_error text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, patch_id)
);
CREATE INDEX device_patches_patch_idx ON device_patches (patch_id, state);

CREATE TABLE patch_decisions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    patch_id uuid NOT NULL REFERENCES patches ON DELETE CASCADE,
    scope text NOT NULL CHECK (scope IN ('partner', 'org', 'site', 'device')),
    org_id uuid,
    site_id uuid,
    device_id uuid REFERENCES devices ON DELETE CASCADE,
    decision text NOT NULL CHECK (decision IN ('approved', 'rejected', 'deferred')),
    defer_until timestamptz,
    defer_days integer CHECK (defer_days BETWEEN 1 AND 365),
    decided_by text NOT NULL DEFAULT '',
    decided_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'partner' AND org_id IS NULL AND site_id IS NULL AND device_id IS NULL)
        OR (scope = 'org' AND org_id IS NOT NULL AND site_id IS NULL AND device_id IS NULL)
        OR (scope = 'site' AND org_id IS NOT NULL AND site_id IS NOT NULL AND device_id IS NULL)
        OR (scope = 'device' AND org_id IS NOT NULL AND site_id IS NOT NULL AND device_id IS NOT NULL)),
    CHECK (decision <> 'deferred' OR (defer_until IS NOT NULL) <> (defer_days IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (patch_id, scope, org_id, site_id, device_id)
);

-- What applies to one device: a rejection at any level; otherwise the most specific decision (a deferral that
-- has run out counts as approved); 'none' when nobody decided.
CREATE FUNCTION breeze_patch_decision(p_patch uuid, p_org uuid, p_site uuid, p_device uuid, p_first_seen timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
    WITH applying AS (
        SELECT * FROM patch_decisions a WHERE a.patch_id = p_patch AND (a.scope = 'partner'
            OR (a.scope = 'org' AND a.org_id = p_org) OR (a.scope = 'site' AND a.site_id = p_site)
            OR (a.scope = 'device' AND a.device_id = p_device)))
    SELECT CASE WHEN EXISTS (SELECT 1 FROM applying WHERE decision = 'rejected') THEN 'rejected'
        ELSE coalesce((SELECT CASE WHEN decision = 'deferred' AND coalesce(defer_until,
                            p_first_seen + make_interval(days => defer_days)) > now() THEN 'deferred'
                        ELSE 'approved' END
                       FROM applying
                       ORDER BY CASE scope WHEN 'device' THEN 1 WHEN 'site' THEN 2 WHEN 'org' THEN 3 ELSE 4 END
                       LIMIT 1), 'none') END
$$;

CREATE TABLE patch_deployments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid,
    targets jsonb NOT NULL,
    device_ids uuid[] NOT NULL,
    scheduled_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'queued', 'cancelled')),
    queued_at timestamptz,
    summary jsonb NOT NULL DEFAULT '{}',
    requested_by text NOT NULL DEFAULT '',
    requested_by_user uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patch_deployments_due_idx ON patch_deployments (scheduled_at) WHERE status = 'scheduled';

ALTER TABLE device_commands ADD COLUMN deployment_id uuid REFERENCES patch_deployments ON DELETE CASCADE;
CREATE INDEX device_commands_deployment_idx ON device_commands (deployment_id) WHERE deployment_id IS NOT NULL;

CREATE TABLE patch_results (
    id bigserial PRIMARY KEY,
    command_id uuid NOT NULL REFERENCES device_commands ON DELETE CASCADE,
    deployment_id uuid REFERENCES patch_deployments ON DELETE CASCADE,
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    patch_id uuid REFERENCES patches ON DELETE SET NULL,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('install', 'rollback')),
    name text NOT NULL,
    version text NOT NULL,
    status text NOT NULL CHECK (status IN ('installed', 'failed')),
    installed_version text NOT NULL DEFAULT '',
    log text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patch_results_device_idx ON patch_results (device_id, created_at DESC);

ALTER TABLE devices ADD COLUMN reboot_required boolean NOT NULL DEFAULT false,
    ADD COLUMN patches_scanned_at timestamptz;

ALTER TABLE patches ENABLE ROW LEVEL SECURITY;
ALTER TABLE patches FORCE ROW LEVEL SECURITY;
-- The catalog is the partner's: every scope of the partner reads it; devices' states say who is concerned.
CREATE POLICY tenant ON patches USING (breeze_system() OR partner_id = breeze_partner());
ALTER TABLE device_patches ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_patches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_patches USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE patch_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE patch_decisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON patch_decisions FOR SELECT USING (breeze_system() OR (partner_id = breeze_partner()
    AND (scope = 'partner' OR breeze_org_visible(partner_id, org_id))));
CREATE POLICY tenant_write ON patch_decisions FOR ALL USING (CASE scope WHEN 'partner' THEN breeze_partner_visible(partner_id)
    WHEN 'org' THEN breeze_org_visible(partner_id, org_id) ELSE breeze_site_visible(partner_id, org_id, site_id) END);
ALTER TABLE patch_deployments ENABLE ROW LEVEL SECURITY;
ALTER TABLE patch_deployments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patch_deployments USING (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE patch_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE patch_results FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patch_results USING (breeze_site_visible(partner_id, org_id, site_id));

SELECT set_config('breeze.system', 'on', true);
INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'patches', 'read'), ('partner-admin', 'patches', 'approve'), ('partner-admin', 'patches', 'deploy'),
    ('org-admin', 'patches', 'read'), ('org-admin', 'patches', 'approve'), ('org-admin', 'patches', 'deploy'),
    ('technician', 'patches', 'read'), ('technician', 'patches', 'deploy'),
    ('read-only', 'patches', 'read')
) AS p (role, resource, action) ON p.role = r.name AND r.partner_id IS NULL;
