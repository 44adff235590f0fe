-- Devices join at most one device group (of their organisation; a site's group only holds that site's devices,
-- which the API enforces) and carry free tags. The newest heartbeat's per-filesystem usage stays on the row so a
-- device's disks show their fill without reading the metrics tables.
ALTER TABLE device_groups ADD CONSTRAINT device_groups_id_org_key UNIQUE (id, org_id);

CREATE FUNCTION breeze_valid_tags(tags text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT cardinality(tags) <= 32 AND NOT EXISTS (
        SELECT 1 FROM unnest(tags) t
        WHERE t IS NULL OR length(t) NOT BETWEEN 1 AND 64 OR t ~ '[[:cntrl:]]' OR t <> btrim(t))
$$;

ALTER TABLE devices
    ADD COLUMN group_id uuid,
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}' CHECK (breeze_valid_tags(tags)),
    ADD COLUMN last_filesystems jsonb NOT NULL DEFAULT '[]',
    ADD CONSTRAINT devices_group_fkey FOREIGN KEY (group_id, org_id)
        REFERENCES device_groups (id, org_id) ON DELETE SET NULL (group_id);
CREATE INDEX devices_group_idx ON devices (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX devices_tags_idx ON devices USING gin (tags);

ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command', 'enrolled', 'approved', 'revoked', 'deleted',
                    'moved', 'updated'));
