-- What connected agents report and what they are asked to do: status events, heartbeat metrics (daily
-- partitions, hourly rollups in monthly partitions), inventory with a change log, and commands as rows.

ALTER TABLE devices
    ADD COLUMN platform text NOT NULL DEFAULT '' CHECK (length(platform) <= 32),
    ADD COLUMN arch text NOT NULL DEFAULT '' CHECK (length(arch) <= 32),
    ADD COLUMN capabilities jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN last_address text NOT NULL DEFAULT '' CHECK (length(last_address) <= 64),
    ADD COLUMN connected_at timestamptz,
    -- The connection that set `online`; a late close of an older connection must not mark a newer one offline.
    ADD COLUMN connection_id uuid;

CREATE TABLE device_events (
    id bigserial PRIMARY KEY,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command')),
    detail jsonb NOT NULL DEFAULT '{}',
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_events_device_idx ON device_events (device_id, at DESC);
CREATE INDEX device_events_org_idx ON device_events (org_id, at DESC);

-- One row per heartbeat. The scalar columns derived at ingest (disk_used_percent, net_*_bytes) keep rollups
-- cheap; the per-filesystem and per-interface detail stays as JSON.
CREATE TABLE device_metrics (
    device_id uuid NOT NULL,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    sampled_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    cpu_percent real NOT NULL,
    load1 real NOT NULL,
    load5 real NOT NULL,
    load15 real NOT NULL,
    memory_total bigint NOT NULL,
    memory_used bigint NOT NULL,
    swap_total bigint NOT NULL,
    swap_used bigint NOT NULL,
    process_count integer NOT NULL,
    uptime_seconds bigint NOT NULL,
    disk_used_percent real NOT NULL,
    net_rx_bytes bigint NOT NULL,
    net_tx_bytes bigint NOT NULL,
    users jsonb NOT NULL,
    filesystems jsonb NOT NULL,
    interfaces jsonb NOT NULL,
    PRIMARY KEY (device_id, sampled_at)
) PARTITION BY RANGE (sampled_at);

CREATE TABLE device_metrics_hourly (
    device_id uuid NOT NULL,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    hour timestamptz NOT NULL,
    samples integer NOT NULL,
    cpu_avg real NOT NULL,
    cpu_max real NOT NULL,
    load1_avg real NOT NULL,
    memory_used_avg bigint NOT NULL,
    memory_total bigint NOT NULL,
    swap_used_avg bigint NOT NULL,
    disk_used_percent_max real NOT NULL,
    net_rx_bytes bigint NOT NULL,
    net_tx_bytes bigint NOT NULL,
    PRIMARY KEY (device_id, hour)
) PARTITION BY RANGE (hour);

-- Hours that received late samples (a spool drained after a long outage) and must be rolled up again.
CREATE TABLE device_metrics_rollup_queue (
    device_id uuid NOT NULL,
    hour timestamptz NOT NULL,
    PRIMARY KEY (device_id, hour)
);

CREATE TABLE device_inventory (
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    section text NOT NULL,
    data jsonb NOT NULL,
    digest text NOT NULL,
    collected_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, section)
);

CREATE TABLE device_inventory_changes (
    id bigserial PRIMARY KEY,
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    section text NOT NULL,
    change text NOT NULL CHECK (change IN ('initial', 'added', 'removed', 'changed')),
    item_key text NOT NULL DEFAULT '',
    before jsonb,
    after jsonb,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_inventory_changes_device_idx ON device_inventory_changes (device_id, id DESC);

CREATE TABLE device_commands (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    command_type text NOT NULL CHECK (length(command_type) BETWEEN 1 AND 64),
    args jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'running', 'completed', 'failed', 'timed_out', 'cancelled')),
    timeout_seconds integer NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 604800),
    -- A command not delivered by then times out instead of surprising someone days later.
    expires_at timestamptz NOT NULL,
    requested_by text NOT NULL DEFAULT '',
    requested_by_user uuid,
    cancel_requested boolean NOT NULL DEFAULT false,
    exit_code integer,
    output jsonb,
    error text,
    deliveries integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_commands_device_idx ON device_commands (device_id, created_at DESC);
CREATE INDEX device_commands_org_idx ON device_commands (org_id, created_at DESC);
CREATE INDEX device_commands_open_idx ON device_commands (device_id, created_at)
    WHERE status IN ('pending', 'sent', 'running');

ALTER TABLE device_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_events USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE device_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_metrics FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_metrics USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE device_metrics_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_metrics_hourly FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_metrics_hourly USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE device_metrics_rollup_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_metrics_rollup_queue FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON device_metrics_rollup_queue USING (breeze_system());
ALTER TABLE device_inventory ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_inventory FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_inventory USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE device_inventory_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_inventory_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_inventory_changes USING (breeze_site_visible(partner_id, org_id, site_id));
ALTER TABLE device_commands ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_commands FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON device_commands USING (breeze_site_visible(partner_id, org_id, site_id));

SELECT set_config('breeze.system', 'on', true);
INSERT INTO role_permissions (role_id, resource, action)
SELECT r.id, p.resource, p.action FROM roles r
JOIN (VALUES
    ('partner-admin', 'commands', 'read'), ('partner-admin', 'commands', 'create'), ('partner-admin', 'commands', 'cancel'),
    ('org-admin', 'commands', 'read'), ('org-admin', 'commands', 'create'), ('org-admin', 'commands', 'cancel'),
    ('technician', 'commands', 'read'), ('technician', 'commands', 'create'), ('technician', 'commands', 'cancel'),
    ('read-only', 'commands', 'read')
) AS p (role, resource, action) ON p.role = r.name AND r.partner_id IS NULL;
