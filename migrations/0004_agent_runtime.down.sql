SELECT set_config('breeze.system', 'on', true);
DELETE FROM role_permissions WHERE resource = 'commands';
DROP TABLE device_commands;
DROP TABLE device_inventory_changes;
DROP TABLE device_inventory;
DROP TABLE device_metrics_rollup_queue;
DROP TABLE device_metrics_hourly;
DROP TABLE device_metrics;
DROP TABLE device_events;
ALTER TABLE devices DROP COLUMN platform, DROP COLUMN arch, DROP COLUMN capabilities, DROP COLUMN last_address,
    DROP COLUMN connected_at, DROP COLUMN connection_id;
