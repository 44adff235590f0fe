-- The decision that applies to an update, with where it comes from, so the console can show "approved (site)"
-- beside each update. breeze_patch_decision keeps its meaning and now reads the same function, so the two can
-- never disagree.
CREATE FUNCTION breeze_patch_decision_explained(p_patch uuid, p_org uuid, p_site uuid, p_device uuid,
                                                p_first_seen timestamptz, OUT decision text, OUT source text)
LANGUAGE sql STABLE AS $$
    WITH applying AS (
        SELECT * FROM patch_decisions a WHERE a.patch_id = p_patch AND (a.scope = 'partner'
            OR (a.scope = 'org' AND a.org_id = p_org) OR (a.scope = 'site' AND a.site_id = p_site)
            OR (a.scope = 'device' AND a.device_id = p_device)
            OR (a.scope = 'policy' AND a.policy_id = breeze_site_patch_policy(p_org, p_site)))),
    -- A rejection anywhere wins; otherwise the most specific decision.
    chosen AS (
        SELECT a.decision, a.scope, a.defer_until, a.defer_days FROM applying a
        ORDER BY a.decision = 'rejected' DESC,
                 CASE a.scope WHEN 'device' THEN 1 WHEN 'site' THEN 2 WHEN 'policy' THEN 3 WHEN 'org' THEN 4
                              ELSE 5 END
        LIMIT 1),
    automatic AS (
        SELECT 1 FROM patch_policies pol JOIN patches p ON p.id = p_patch
        LEFT JOIN device_patches c ON c.patch_id = p_patch AND c.device_id = p_device
        WHERE pol.id = breeze_site_patch_policy(p_org, p_site)
          AND ((pol.auto_approve_security AND coalesce(c.security, false))
               OR coalesce(c.severity, '') = ANY(pol.auto_approve_severities)
               OR (pol.auto_approve_pattern <> ''
                   AND p.name LIKE replace(replace(pol.auto_approve_pattern, '_', '\_'), '*', '%'))))
    SELECT CASE WHEN c.decision = 'rejected' THEN 'rejected'
                WHEN c.decision IS NOT NULL THEN
                    CASE WHEN c.decision = 'deferred' AND coalesce(c.defer_until,
                              p_first_seen + make_interval(days => c.defer_days)) > now() THEN 'deferred'
                         ELSE 'approved' END
                WHEN EXISTS (SELECT 1 FROM automatic) THEN 'approved'
                ELSE 'none' END,
           CASE WHEN c.decision IS NOT NULL THEN c.scope
                WHEN EXISTS (SELECT 1 FROM automatic) THEN 'auto-approval'
                ELSE 'none' END
    FROM (SELECT 1) one LEFT JOIN chosen c ON true
$$;

CREATE OR REPLACE FUNCTION breeze_patch_decision(p_patch uuid, p_org uuid, p_site uuid, p_device uuid, p_first_seen timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT decision FROM breeze_patch_decision_explained(p_patch, p_org, p_site, p_device, p_first_seen)
$$;

-- A deployment may say how its devices restart after installing, instead of what their policy says.
ALTER TABLE patch_deployments ADD COLUMN reboot text CHECK (reboot IN ('never', 'if_required', 'always'));
