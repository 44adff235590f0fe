-- Monitoring and alerts: rules and where they apply, the alerts they raise, the channels that carry
-- notifications and the outbox those notifications wait in until a receiver has taken them.

-- Where notifications go. Partner-wide channels (org_id NULL) serve partner-wide rules; an organisation's
-- channels serve its own rules. A deleted channel is kept (deleted_at) until every notification still owed
-- through it has gone: a firing notice sent there must be followed by its resolution there.
CREATE TABLE notification_channels (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind text NOT NULL CHECK (kind IN ('webhook', 'slack', 'teams', 'email')),
    -- url (webhook, slack, teams) or to (email); never a secret
    settings jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    -- the webhook's signing secret, sealed with the server's sealing key
    sealed_secret text,
    created_by_label text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX notification_channels_name_idx ON notification_channels
    (partner_id, coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name))
    WHERE deleted_at IS NULL;

CREATE TABLE alert_rules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- the canonical condition (server/alerts/ConditionSpec) and the same as people write it
    condition jsonb NOT NULL CHECK (jsonb_typeof(condition) = 'object'),
    expression text NOT NULL CHECK (length(expression) BETWEEN 1 AND 500),
    severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    title_template text NOT NULL CHECK (length(title_template) BETWEEN 1 AND 500),
    message_template text NOT NULL CHECK (length(message_template) <= 4000),
    channel_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(channel_ids) <= 20),
    enabled boolean NOT NULL DEFAULT true,
    -- a refire this soon after a resolution reopens the same alert instead of raising another
    reopen_window_seconds integer NOT NULL DEFAULT 600 CHECK (reopen_window_seconds BETWEEN 0 AND 86400),
    created_by_label text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX alert_rules_name_idx ON alert_rules
    (partner_id, coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));

-- Where a rule applies: the partner, an organisation, a site, a group or a device, inherited downwards. An
-- exclusion removes the rule at and below its level; an override changes thresholds from its level down (the
-- nearest one wins).
CREATE TABLE alert_rule_assignments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    rule_id uuid NOT NULL REFERENCES alert_rules ON DELETE CASCADE,
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid,
    scope text NOT NULL CHECK (scope IN ('partner', 'org', 'site', 'group', 'device')),
    target_id uuid NOT NULL,
    exclude boolean NOT NULL DEFAULT false,
    override jsonb CHECK (override IS NULL OR jsonb_typeof(override) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'partner') = (org_id IS NULL)),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    UNIQUE (rule_id, scope, target_id)
);
CREATE INDEX alert_rule_assignments_target_idx ON alert_rule_assignments (target_id);

-- One alert per device and rule while it is open; a refire within the rule's reopen window reopens the
-- resolved one. Names are copied so an alert still reads right after its rule or device is gone.
CREATE TABLE alerts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    device_id uuid REFERENCES devices ON DELETE SET NULL,
    rule_id uuid REFERENCES alert_rules ON DELETE SET NULL,
    device_name text NOT NULL DEFAULT '',
    rule_name text NOT NULL DEFAULT '',
    severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    title text NOT NULL,
    message text NOT NULL,
    -- what fired: the measured value and what it was compared with
    value jsonb NOT NULL DEFAULT '{}',
    state text NOT NULL CHECK (state IN ('active', 'acknowledged', 'resolved')),
    opened_at timestamptz NOT NULL DEFAULT now(),
    fired_at timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    acknowledged_by text,
    acknowledge_note text CHECK (length(acknowledge_note) <= 2000),
    resolved_at timestamptz,
    -- NULL: the condition cleared; else who resolved it by hand, or why it ended (rule or device deleted)
    resolved_by text,
    resolution text CHECK (resolution IN ('cleared', 'by_hand', 'rule_deleted', 'rule_disabled',
                                          'device_deleted', 'no_longer_applies')),
    reopen_count integer NOT NULL DEFAULT 0,
    -- times it fired in the last hour (bounded), for flapping
    recent_fires timestamptz[] NOT NULL DEFAULT '{}',
    flapping boolean NOT NULL DEFAULT false,
    -- channels that were sent a firing notice whose resolution is still owed
    notified_channels uuid[] NOT NULL DEFAULT '{}',
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE UNIQUE INDEX alerts_open_idx ON alerts (rule_id, device_id) WHERE state <> 'resolved';
CREATE INDEX alerts_recent_idx ON alerts (rule_id, device_id, resolved_at DESC);
CREATE INDEX alerts_partner_idx ON alerts (partner_id, opened_at DESC);
CREATE INDEX alerts_device_idx ON alerts (device_id, opened_at DESC);

-- The outbox: every notification is a row written in the transaction that changed its alert, sent by a
-- dispatcher with retries, in order per alert and channel. Sent rows are kept as the delivery record.
CREATE TABLE alert_notifications (
    id bigserial PRIMARY KEY,
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid,
    site_id uuid,
    alert_id uuid REFERENCES alerts ON DELETE CASCADE,
    channel_id uuid NOT NULL REFERENCES notification_channels ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('firing', 'resolved', 'test')),
    -- what this notice says beyond the alert's row: the value, the resolution, who asked for a test
    detail jsonb NOT NULL DEFAULT '{}',
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'given_up')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    last_error text,
    -- the receiver's answer (status and the start of its body), for "send test" and for the record
    response text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    CHECK ((kind = 'test') = (alert_id IS NULL))
);
CREATE INDEX alert_notifications_due_idx ON alert_notifications (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX alert_notifications_order_idx ON alert_notifications (alert_id, channel_id, id);
CREATE INDEX alert_notifications_channel_idx ON alert_notifications (channel_id, id DESC);

-- A condition between ok and firing (held, not yet long enough) or between firing and resolved (healthy,
-- not yet long enough): kept so a restart neither forgets a four-minute pending CPU nor resolves too soon.
CREATE TABLE alert_condition_states (
    rule_id uuid NOT NULL REFERENCES alert_rules ON DELETE CASCADE,
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    phase text NOT NULL CHECK (phase IN ('pending', 'clearing')),
    since timestamptz NOT NULL,
    PRIMARY KEY (rule_id, device_id)
);

-- Resolves an open alert and owes each channel that heard it fire the matching resolution, in one place for
-- every path: the condition clearing, a person, a deleted rule or device.
CREATE FUNCTION breeze_alert_resolve(a uuid, why text, who text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    owed uuid[];
    resolved timestamptz;
BEGIN
    SELECT notified_channels INTO owed FROM alerts WHERE id = a AND state <> 'resolved' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE alerts SET state = 'resolved', resolved_at = now(), resolved_by = who, resolution = why,
                      notified_channels = '{}'
     WHERE id = a
    RETURNING resolved_at INTO resolved;
    INSERT INTO alert_notifications (partner_id, org_id, site_id, alert_id, channel_id, kind, detail)
    -- Not joined with the channels: a partner-wide channel is owed its resolution even when the person
    -- resolving cannot see it.
    SELECT al.partner_id, al.org_id, al.site_id, al.id, c, 'resolved',
           jsonb_build_object('resolution', why, 'resolved_by', who, 'resolved_at', resolved)
      FROM alerts al, unnest(owed) AS c
     WHERE al.id = a;
    RETURN true;
END $$;

-- Deleting a device or a rule ends its open alerts with their resolutions first (the alerts stay, as history).
CREATE FUNCTION breeze_alerts_end_for_device() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM breeze_alert_resolve(id, 'device_deleted', NULL) FROM alerts
      WHERE device_id = OLD.id AND state <> 'resolved';
    RETURN OLD;
END $$;
CREATE TRIGGER devices_end_alerts BEFORE DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION breeze_alerts_end_for_device();

CREATE FUNCTION breeze_alerts_end_for_rule() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM breeze_alert_resolve(id, 'rule_deleted', NULL) FROM alerts
      WHERE rule_id = OLD.id AND state <> 'resolved';
    RETURN OLD;
END $$;
CREATE TRIGGER alert_rules_end_alerts BEFORE DELETE ON alert_rules
    FOR EACH ROW EXECUTE FUNCTION breeze_alerts_end_for_rule();

-- Every node's alert engine reloads its rules when they change (and when devices move between sites and
-- groups, which changes what applies to them).
CREATE FUNCTION breeze_announce_alert_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- On the device events' channel, with no tenant: consoles never hear it, the alert engines do.
    PERFORM pg_notify('breeze_events', json_build_object('kind', 'alert_config', 'what', TG_TABLE_NAME)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER alert_rules_announce AFTER INSERT OR UPDATE OR DELETE ON alert_rules
    FOR EACH STATEMENT EXECUTE FUNCTION breeze_announce_alert_config();
CREATE TRIGGER alert_rule_assignments_announce AFTER INSERT OR UPDATE OR DELETE ON alert_rule_assignments
    FOR EACH STATEMENT EXECUTE FUNCTION breeze_announce_alert_config();
CREATE TRIGGER devices_placement_announce AFTER UPDATE OF org_id, site_id, group_id OR INSERT OR DELETE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION breeze_announce_alert_config();

-- Alerts opening, changing and ending, as live events: consoles refresh their lists (they read the alert
-- itself through the API, which checks alerts:read), and alert engines learn of alerts resolved by hand.
CREATE FUNCTION breeze_announce_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('breeze_events', json_build_object(
        'kind', 'alert', 'alert_id', NEW.id, 'at', now(), 'partner_id', NEW.partner_id, 'org_id', NEW.org_id,
        'site_id', NEW.site_id, 'device_id', NEW.device_id, 'rule_id', NEW.rule_id, 'state', NEW.state,
        'severity', NEW.severity, 'resolution', NEW.resolution)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_announce AFTER INSERT OR UPDATE OF state ON alerts
    FOR EACH ROW EXECUTE FUNCTION breeze_announce_alert();

ALTER TABLE notification_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON notification_channels USING (CASE WHEN org_id IS NULL THEN breeze_partner_visible(partner_id)
                                                          ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE alert_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON alert_rules USING (CASE WHEN org_id IS NULL THEN breeze_partner_visible(partner_id)
                                                ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE alert_rule_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_rule_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON alert_rule_assignments USING (CASE WHEN org_id IS NULL THEN breeze_partner_visible(partner_id)
                                                           ELSE breeze_org_visible(partner_id, org_id) END);
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON alerts USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE alert_notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON alert_notifications USING (CASE WHEN org_id IS NULL THEN breeze_partner_visible(partner_id)
                                                        WHEN site_id IS NULL THEN breeze_org_visible(partner_id, org_id)
                                                        ELSE breeze_site_visible(partner_id, org_id, site_id) END);
ALTER TABLE alert_condition_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE alert_condition_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON alert_condition_states USING (breeze_site_visible(partner_id, org_id, site_id));

SELECT set_config('breeze.system', 'on', true);
INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'alerts', 'read'), ('partner-admin', 'alerts', 'acknowledge'), ('partner-admin', 'alerts', 'manage'),
    ('org-admin', 'alerts', 'read'), ('org-admin', 'alerts', 'acknowledge'), ('org-admin', 'alerts', 'manage'),
    ('technician', 'alerts', 'read'), ('technician', 'alerts', 'acknowledge'),
    ('read-only', 'alerts', 'read')
) AS p (role, resource, action) ON p.role = r.name AND r.partner_id IS NULL;
