-- Tenancy (partner -> organisation -> site -> device group), users, roles, grants, sessions and keys.
-- Every tenant table carries partner_id (and org_id where it belongs to an organisation) so that one
-- row-level-security policy per table can check it without joins.

-- The tenant scope of the current transaction, set by the server with set_config(..., true).
CREATE FUNCTION breeze_system() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('breeze.system', true), '') = 'on' $$;

CREATE FUNCTION breeze_partner() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('breeze.partner_id', true), '')::uuid $$;

CREATE FUNCTION breeze_uuid_setting(name text) RETURNS uuid[] LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting(name, true), ''), '{}')::uuid[] $$;

CREATE FUNCTION breeze_whole_partner() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('breeze.whole_partner', true), '') = 'on' $$;

-- Visible when the row's organisation is in scope at all (possibly limited to some of its sites).
CREATE FUNCTION breeze_org_visible(p uuid, o uuid) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT breeze_system() OR (p = breeze_partner() AND (breeze_whole_partner()
       OR coalesce(o = ANY(breeze_uuid_setting('breeze.orgs_all')), false)
       OR coalesce(o = ANY(breeze_uuid_setting('breeze.orgs_limited')), false))) $$;

-- Visible when the row's organisation is wholly in scope, or its site is one the scope is limited to.
CREATE FUNCTION breeze_site_visible(p uuid, o uuid, s uuid) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT breeze_system() OR (p = breeze_partner() AND (breeze_whole_partner()
       OR coalesce(o = ANY(breeze_uuid_setting('breeze.orgs_all')), false)
       OR coalesce(s = ANY(breeze_uuid_setting('breeze.sites_allowed')), false))) $$;

-- Partner-level rows (no organisation) are visible only to partner-wide scopes.
CREATE FUNCTION breeze_partner_visible(p uuid) RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT breeze_system() OR (p = breeze_partner() AND breeze_whole_partner()) $$;

CREATE TABLE partners (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    require_mfa boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    require_device_approval boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, name),
    UNIQUE (id, partner_id)
);

CREATE TABLE sites (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    timezone text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    UNIQUE (org_id, name),
    UNIQUE (id, org_id)
);
CREATE INDEX sites_org_idx ON sites (org_id);

CREATE TABLE device_groups (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    FOREIGN KEY (site_id, org_id) REFERENCES sites (id, org_id) ON DELETE CASCADE,
    UNIQUE NULLS NOT DISTINCT (org_id, site_id, name)
);
CREATE INDEX device_groups_org_idx ON device_groups (org_id);

-- Built-in roles have no partner; partners may add their own.
CREATE TABLE roles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid REFERENCES partners ON DELETE CASCADE,
    name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9-]{0,63}$'),
    description text NOT NULL DEFAULT '',
    builtin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (partner_id, name)
);

CREATE TABLE role_permissions (
    role_id uuid NOT NULL REFERENCES roles ON DELETE CASCADE,
    resource text NOT NULL,
    action text NOT NULL,
    PRIMARY KEY (role_id, resource, action)
);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    home_org_id uuid,
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    display_name text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    totp_secret_sealed text,
    totp_pending_sealed text,
    totp_last_step bigint,
    mfa_required boolean NOT NULL DEFAULT false,
    disabled_at timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (home_org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE
);
-- Sign-in is by e-mail alone, so an address names one user on the whole server.
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));
CREATE INDEX users_partner_idx ON users (partner_id);

CREATE TABLE user_grants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    role_id uuid NOT NULL REFERENCES roles ON DELETE RESTRICT,
    org_id uuid,                 -- NULL: the whole partner
    site_ids uuid[],             -- NULL: every site of org_id
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    CHECK (site_ids IS NULL OR org_id IS NOT NULL),
    UNIQUE NULLS NOT DISTINCT (user_id, role_id, org_id)
);
CREATE INDEX user_grants_user_idx ON user_grants (user_id);

CREATE TABLE recovery_codes (
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    code_hash text NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- A session is one sign-in: the family of refresh tokens that rotate from it.
CREATE TABLE auth_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    mfa_enrollment_only boolean NOT NULL DEFAULT false,
    address text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoke_reason text
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES auth_sessions ON DELETE CASCADE,
    issued_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Failed sign-in counters per account and per address (shared by every server node).
CREATE TABLE auth_throttle (
    key text PRIMARY KEY,
    failures integer NOT NULL DEFAULT 0,
    window_started_at timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz
);

CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    role_id uuid NOT NULL REFERENCES roles ON DELETE RESTRICT,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    display_prefix text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    created_by uuid REFERENCES users ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id);

CREATE TABLE enrollment_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    display_prefix text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    max_uses integer CHECK (max_uses IS NULL OR max_uses > 0),
    uses integer NOT NULL DEFAULT 0,
    created_by uuid REFERENCES users ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    FOREIGN KEY (site_id, org_id) REFERENCES sites (id, org_id) ON DELETE CASCADE
);
CREATE INDEX enrollment_keys_org_idx ON enrollment_keys (org_id);

-- Row-level security: the second wall behind the repositories' own scoping. FORCE makes it apply to the
-- owning role too, which is the role the server connects as.
ALTER TABLE partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE partners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON partners USING (breeze_system() OR id = breeze_partner())
    WITH CHECK (breeze_system() OR (id = breeze_partner() AND breeze_whole_partner()));

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON organizations USING (breeze_org_visible(partner_id, id));

ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
ALTER TABLE sites FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sites USING (breeze_site_visible(partner_id, org_id, id));

ALTER TABLE device_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_groups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_groups USING (breeze_site_visible(partner_id, org_id, site_id)
    OR (site_id IS NULL AND breeze_org_visible(partner_id, org_id)));

ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON roles FOR SELECT USING (partner_id IS NULL OR breeze_system() OR partner_id = breeze_partner());
CREATE POLICY tenant_write ON roles FOR ALL USING (breeze_system() OR (partner_id IS NOT NULL AND breeze_partner_visible(partner_id)));

ALTER TABLE role_permissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE role_permissions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON role_permissions FOR SELECT USING (EXISTS (SELECT 1 FROM roles r WHERE r.id = role_id));
CREATE POLICY tenant_write ON role_permissions FOR ALL USING (breeze_system() OR EXISTS (
    SELECT 1 FROM roles r WHERE r.id = role_id AND r.partner_id IS NOT NULL AND breeze_partner_visible(r.partner_id)));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON users USING (CASE WHEN home_org_id IS NULL THEN breeze_partner_visible(partner_id)
                                          ELSE breeze_org_visible(partner_id, home_org_id) END);

ALTER TABLE user_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON user_grants USING (CASE WHEN org_id IS NULL THEN breeze_partner_visible(partner_id)
                                                ELSE breeze_org_visible(partner_id, org_id) END);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON api_keys USING (breeze_org_visible(partner_id, org_id));

ALTER TABLE enrollment_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrollment_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON enrollment_keys USING (breeze_site_visible(partner_id, org_id, site_id));

-- Credentials and counters are only ever touched by the server's own sign-in code.
ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON recovery_codes USING (breeze_system());
ALTER TABLE auth_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON auth_sessions USING (breeze_system());
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON refresh_tokens USING (breeze_system());
ALTER TABLE auth_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON auth_throttle USING (breeze_system());

-- Built-in roles. Permissions are (resource, action) pairs; later features add their resources here.
SELECT set_config('breeze.system', 'on', true);
INSERT INTO roles (name, description, builtin) VALUES
    ('partner-admin', 'Everything across the partner and all its organisations', true),
    ('org-admin', 'Everything inside the organisations granted', true),
    ('technician', 'Works on devices; reads the tenant structure', true),
    ('read-only', 'Reads everything it is granted, changes nothing', true);

INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'partner', 'read'), ('partner-admin', 'partner', 'update'),
    ('partner-admin', 'orgs', 'read'), ('partner-admin', 'orgs', 'create'), ('partner-admin', 'orgs', 'update'), ('partner-admin', 'orgs', 'delete'),
    ('partner-admin', 'sites', 'read'), ('partner-admin', 'sites', 'create'), ('partner-admin', 'sites', 'update'), ('partner-admin', 'sites', 'delete'),
    ('partner-admin', 'groups', 'read'), ('partner-admin', 'groups', 'create'), ('partner-admin', 'groups', 'update'), ('partner-admin', 'groups', 'delete'),
    ('partner-admin', 'users', 'read'), ('partner-admin', 'users', 'create'), ('partner-admin', 'users', 'update'), ('partner-admin', 'users', 'delete'),
    ('partner-admin', 'roles', 'read'), ('partner-admin', 'roles', 'create'), ('partner-admin', 'roles', 'delete'),
    ('partner-admin', 'api_keys', 'read'), ('partner-admin', 'api_keys', 'create'), ('partner-admin', 'api_keys', 'delete'),
    ('partner-admin', 'enrollment_keys', 'read'), ('partner-admin', 'enrollment_keys', 'create'), ('partner-admin', 'enrollment_keys', 'delete'),
    ('partner-admin', 'audit', 'read'),
    ('org-admin', 'orgs', 'read'), ('org-admin', 'orgs', 'update'),
    ('org-admin', 'sites', 'read'), ('org-admin', 'sites', 'create'), ('org-admin', 'sites', 'update'), ('org-admin', 'sites', 'delete'),
    ('org-admin', 'groups', 'read'), ('org-admin', 'groups', 'create'), ('org-admin', 'groups', 'update'), ('org-admin', 'groups', 'delete'),
    ('org-admin', 'users', 'read'), ('org-admin', 'users', 'create'), ('org-admin', 'users', 'update'), ('org-admin', 'users', 'delete'),
    ('org-admin', 'roles', 'read'),
    ('org-admin', 'api_keys', 'read'), ('org-admin', 'api_keys', 'create'), ('org-admin', 'api_keys', 'delete'),
    ('org-admin', 'enrollment_keys', 'read'), ('org-admin', 'enrollment_keys', 'create'), ('org-admin', 'enrollment_keys', 'delete'),
    ('org-admin', 'audit', 'read'),
    ('technician', 'orgs', 'read'), ('technician', 'sites', 'read'), ('technician', 'groups', 'read'),
    ('technician', 'roles', 'read'), ('technician', 'enrollment_keys', 'read'), ('technician', 'enrollment_keys', 'create'),
    ('read-only', 'orgs', 'read'), ('read-only', 'sites', 'read'), ('read-only', 'groups', 'read'),
    ('read-only', 'users', 'read'), ('read-only', 'roles', 'read'), ('read-only', 'audit', 'read')
) AS p (role, resource, action) ON p.role = r.name AND r.partner_id IS NULL;
