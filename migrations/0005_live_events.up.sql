-- Device events reach connected consoles live: every new row is announced on the breeze_events channel, so every
-- server node (each LISTENs) can push it to the consoles allowed to see it.
ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command', 'enrolled', 'approved', 'revoked', 'deleted'));
-- Events outlive a deleted device (a console must hear about the deletion).
ALTER TABLE device_events DROP CONSTRAINT device_events_device_id_fkey;

CREATE FUNCTION breeze_announce_device_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- NOTIFY payloads are limited to 8000 bytes: details travel only when small.
    PERFORM pg_notify('breeze_events', json_build_object(
        'id', NEW.id, 'at', NEW.at, 'partner_id', NEW.partner_id, 'org_id', NEW.org_id, 'site_id', NEW.site_id,
        'device_id', NEW.device_id, 'kind', NEW.kind,
        'detail', CASE WHEN length(NEW.detail::text) <= 4000 THEN NEW.detail ELSE '{}'::jsonb END)::text);
    RETURN NEW;
END $$;

CREATE TRIGGER device_events_announce AFTER INSERT ON device_events
    FOR EACH ROW EXECUTE FUNCTION breeze_announce_device_event();
