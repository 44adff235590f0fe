-- The device grid's columns (uptime, fullest filesystem, every address, patch state) come with the device list,
-- consoles hear of new or changed organisations, sites, groups and keys without reloading, and the audit log
-- names its resources.

-- When the device last started: the newest heartbeat's sample time less its uptime. Kept as a moment, so the
-- uptime a console shows keeps counting between heartbeats.
ALTER TABLE devices ADD COLUMN booted_at timestamptz;

-- The filesystem with the least room, measured as df does: used / (used + available to unprivileged users);
-- older agents that report no available bytes are measured against the size.
CREATE FUNCTION breeze_fullest_filesystem(filesystems jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('mount', f.mount, 'used_percent', round(f.used_percent, 1),
                              'available_bytes', f.available_bytes, 'total_bytes', f.total_bytes)
    FROM (SELECT fs->>'mount' AS mount, (fs->>'total_bytes')::numeric AS total_bytes,
                 coalesce((fs->>'available_bytes')::numeric,
                          greatest((fs->>'total_bytes')::numeric - (fs->>'used_bytes')::numeric, 0))
                     AS available_bytes,
                 100.0 * (fs->>'used_bytes')::numeric /
                     nullif(coalesce((fs->>'used_bytes')::numeric + (fs->>'available_bytes')::numeric,
                                     (fs->>'total_bytes')::numeric), 0) AS used_percent
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(filesystems) = 'array' THEN filesystems
                                         ELSE '[]'::jsonb END) fs) f
    WHERE f.used_percent IS NOT NULL
    ORDER BY f.used_percent DESC, f.mount
    LIMIT 1
$$;

-- Every address of the device's interfaces from its inventory, loopback left out. Security invoker: row-level
-- security on device_inventory still applies.
CREATE FUNCTION breeze_device_addresses(device uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(DISTINCT a.address), '[]'::jsonb)
    FROM device_inventory i
    CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(i.data) = 'array' THEN i.data
                                                 ELSE '[]'::jsonb END) nic
    CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(nic->'addresses') = 'array'
                                                      THEN nic->'addresses' ELSE '[]'::jsonb END) a(address)
    WHERE i.device_id = device AND i.section = 'interfaces' AND nic->>'name' IS DISTINCT FROM 'lo'
      AND a.address NOT IN ('127.0.0.1', '::1')
$$;

-- Tenancy changes are announced on the channel device events use; a console reloads the lists it shows.
CREATE FUNCTION breeze_announce_tenancy_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
    org uuid;
    site uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF TG_TABLE_NAME = 'organizations' THEN
        org := changed.id;
    ELSIF TG_TABLE_NAME = 'sites' THEN
        -- A site is announced as itself, so that a console limited to other sites does not hear of it.
        org := (to_jsonb(changed)->>'org_id')::uuid;
        site := changed.id;
    ELSE
        org := (to_jsonb(changed)->>'org_id')::uuid;
        site := (to_jsonb(changed)->>'site_id')::uuid;
    END IF;
    PERFORM pg_notify('breeze_events', json_build_object(
        'kind', 'tenancy_changed', 'what', TG_TABLE_NAME, 'record_id', changed.id, 'change', lower(TG_OP),
        'partner_id', changed.partner_id, 'org_id', org, 'site_id', site, 'at', now())::text);
    RETURN NULL;
END $$;

CREATE TRIGGER organizations_announce AFTER INSERT OR UPDATE OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION breeze_announce_tenancy_change();
CREATE TRIGGER sites_announce AFTER INSERT OR UPDATE OR DELETE ON sites
    FOR EACH ROW EXECUTE FUNCTION breeze_announce_tenancy_change();
CREATE TRIGGER device_groups_announce AFTER INSERT OR UPDATE OR DELETE ON device_groups
    FOR EACH ROW EXECUTE FUNCTION breeze_announce_tenancy_change();
-- Keys: not for each use (a use count, a last-used time), which would announce every enrollment and API call.
CREATE TRIGGER enrollment_keys_announce AFTER INSERT OR DELETE OR UPDATE OF name, revoked_at, expires_at
    ON enrollment_keys
    FOR EACH ROW EXECUTE FUNCTION breeze_announce_tenancy_change();
CREATE TRIGGER api_keys_announce AFTER INSERT OR DELETE OR UPDATE OF name, revoked_at, role_id ON api_keys
    FOR EACH ROW EXECUTE FUNCTION breeze_announce_tenancy_change();

-- A patch scan or install moved the device's patch states: consoles refresh its grid row.
ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command', 'enrolled', 'approved', 'revoked', 'deleted',
                    'moved', 'updated', 'reenrollment_requested', 'reenrollment_refused', 'patches_changed'));

-- What the audit log shows for a resource: its name now (a device's host name, a user's e-mail address, a
-- command's type on its device), or NULL when it is gone or hidden from the reader. Security invoker: row-level
-- security decides what the reader may see, so a name never reaches someone who could not read the resource.
CREATE FUNCTION breeze_resource_name(kind text, id text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    key uuid;
BEGIN
    IF id !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
        RETURN NULL;
    END IF;
    key := id::uuid;
    RETURN CASE kind
        WHEN 'org' THEN (SELECT name FROM organizations WHERE organizations.id = key)
        WHEN 'site' THEN (SELECT name FROM sites WHERE sites.id = key)
        WHEN 'group' THEN (SELECT name FROM device_groups WHERE device_groups.id = key)
        WHEN 'partner' THEN (SELECT name FROM partners WHERE partners.id = key)
        WHEN 'user' THEN (SELECT email FROM users WHERE users.id = key)
        WHEN 'role' THEN (SELECT name FROM roles WHERE roles.id = key)
        WHEN 'api_key' THEN (SELECT name FROM api_keys WHERE api_keys.id = key)
        WHEN 'enrollment_key' THEN (SELECT name FROM enrollment_keys WHERE enrollment_keys.id = key)
        WHEN 'device' THEN (SELECT coalesce(nullif(hostname, ''), identity) FROM devices WHERE devices.id = key)
        WHEN 'script' THEN (SELECT name FROM scripts WHERE scripts.id = key)
        WHEN 'script_run' THEN (SELECT s.name FROM script_runs r JOIN scripts s ON s.id = r.script_id
                                WHERE r.id = key)
        WHEN 'patch' THEN (SELECT name || ' ' || version FROM patches WHERE patches.id = key)
        WHEN 'patch_policy' THEN (SELECT name FROM patch_policies WHERE patch_policies.id = key)
        WHEN 'command' THEN (SELECT c.command_type || ' on ' || coalesce(nullif(d.hostname, ''), d.identity)
                             FROM device_commands c JOIN devices d ON d.id = c.device_id WHERE c.id = key)
    END;
END $$;
