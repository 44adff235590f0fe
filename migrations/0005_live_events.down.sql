SELECT set_config('breeze.system', 'on', true);
DROP TRIGGER device_events_announce ON device_events;
DROP FUNCTION breeze_announce_device_event();
DELETE FROM device_events WHERE kind IN ('enrolled', 'approved', 'revoked', 'deleted')
    OR device_id NOT IN (SELECT id FROM devices);
ALTER TABLE device_events ADD CONSTRAINT device_events_device_id_fkey FOREIGN KEY (device_id) REFERENCES devices ON DELETE CASCADE;
ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command'));
