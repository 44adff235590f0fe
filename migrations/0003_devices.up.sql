-- Managed devices and the credentials agents receive at enrollment.
CREATE TABLE devices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    -- The machine's own identity (machine-id, or --identity for test rigs); one record per identity per org.
    identity text NOT NULL CHECK (length(identity) BETWEEN 1 AND 200),
    hostname text NOT NULL DEFAULT '' CHECK (length(hostname) <= 255),
    os text NOT NULL DEFAULT '' CHECK (length(os) <= 200),
    agent_version text NOT NULL DEFAULT '' CHECK (length(agent_version) <= 64),
    status text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'offline')),
    approval text NOT NULL DEFAULT 'approved' CHECK (approval IN ('pending', 'approved')),
    credential_hash text NOT NULL UNIQUE,
    enrollment_key_id uuid REFERENCES enrollment_keys ON DELETE SET NULL,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    FOREIGN KEY (site_id, org_id) REFERENCES sites (id, org_id) ON DELETE CASCADE,
    UNIQUE (org_id, identity)
);
CREATE INDEX devices_site_idx ON devices (site_id);

ALTER TABLE devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE devices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON devices USING (breeze_site_visible(partner_id, org_id, site_id));

SELECT set_config('breeze.system', 'on', true);
INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'devices', 'read'), ('partner-admin', 'devices', 'update'), ('partner-admin', 'devices', 'delete'),
    ('org-admin', 'devices', 'read'), ('org-admin', 'devices', 'update'), ('org-admin', 'devices', 'delete'),
    ('technician', 'devices', 'read'), ('technician', 'devices', 'update'),
    ('read-only', 'devices', 'read')
) AS p (role, resource, action) ON p.role = r.name AND r.partner_id IS NULL;
