-- Patch policies: automatic approval rules (the lowest level of decisions), a weekly maintenance window in each
-- site's own time zone, how often devices scan, the reboot policy, and what happens to a device that misses
-- its window. A policy is assigned to organisations or sites; a site's own assignment overrides its
-- organisation's.
CREATE TABLE patch_policies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    auto_approve_security boolean NOT NULL DEFAULT false,
    auto_approve_severities text[] NOT NULL DEFAULT '{}'
        CHECK (auto_approve_severities <@ ARRAY['critical', 'important', 'moderate', 'low']),
    auto_approve_pattern text NOT NULL DEFAULT '' CHECK (auto_approve_pattern ~ '^[a-z0-9+.*_-]{0,128}$'),
    window_days integer[] NOT NULL DEFAULT '{}' CHECK (window_days <@ ARRAY[0, 1, 2, 3, 4, 5, 6]),
    window_start time NOT NULL DEFAULT '02:00',
    window_minutes integer NOT NULL DEFAULT 120 CHECK (window_minutes BETWEEN 15 AND 1440),
    scan_interval_hours integer NOT NULL DEFAULT 24 CHECK (scan_interval_hours BETWEEN 1 AND 720),
    reboot text NOT NULL DEFAULT 'if_required' CHECK (reboot IN ('never', 'if_required', 'always')),
    reboot_delay_minutes integer NOT NULL DEFAULT 15 CHECK (reboot_delay_minutes BETWEEN 0 AND 1440),
    missed_window text NOT NULL DEFAULT 'next_window' CHECK (missed_window IN ('next_window', 'when_online')),
    -- Scripts from the library run before and after the updates (their current version at deployment time).
    pre_script_id uuid REFERENCES scripts ON DELETE SET NULL,
    post_script_id uuid REFERENCES scripts ON DELETE SET NULL,
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    UNIQUE NULLS NOT DISTINCT (partner_id, org_id, name)
);

CREATE TABLE patch_policy_assignments (
    policy_id uuid NOT NULL REFERENCES patch_policies ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    site_id uuid REFERENCES sites ON DELETE CASCADE,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (org_id, site_id)
);

-- The policy a site follows: its own, else its organisation's.
CREATE FUNCTION breeze_site_patch_policy(p_org uuid, p_site uuid) RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT policy_id FROM patch_policy_assignments WHERE org_id = p_org AND (site_id = p_site OR site_id IS NULL)
    ORDER BY site_id IS NULL LIMIT 1
$$;

-- As before, with the policy's automatic rules below every explicit decision.
CREATE OR REPLACE FUNCTION breeze_patch_decision(p_patch uuid, p_org uuid, p_site uuid, p_device uuid, p_first_seen timestamptz)
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
                       LIMIT 1),
                      (SELECT 'approved' FROM patch_policies pol JOIN patches p ON p.id = p_patch
                       WHERE pol.id = breeze_site_patch_policy(p_org, p_site)
                         AND ((pol.auto_approve_security AND p.security)
                              OR p.severity = ANY(pol.auto_approve_severities)
                              OR (pol.auto_approve_pattern <> ''
                                  AND p.name LIKE replace(replace(pol.auto_approve_pattern, '_', '\_'), '*', '%')))),
                      'none') END
$$;

ALTER TABLE patch_deployments
    ADD COLUMN policy_id uuid REFERENCES patch_policies ON DELETE SET NULL,
    ADD COLUMN window_start timestamptz,
    ADD COLUMN expires_at timestamptz;
-- One deployment per site and window.
CREATE UNIQUE INDEX patch_deployments_window_key ON patch_deployments (policy_id, (targets->>'site_id'), window_start)
    WHERE window_start IS NOT NULL;

ALTER TABLE patch_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE patch_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON patch_policies FOR SELECT USING (breeze_system() OR (partner_id = breeze_partner()
    AND (org_id IS NULL OR breeze_org_visible(partner_id, org_id))));
CREATE POLICY tenant_write ON patch_policies FOR ALL USING (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE patch_policy_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE patch_policy_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patch_policy_assignments USING (breeze_org_visible(partner_id, org_id));
