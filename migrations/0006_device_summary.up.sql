-- The latest heartbeat's headline figures on the device row, so device lists show CPU, memory and the logged-in
-- user without reading the metrics tables.
ALTER TABLE devices
    ADD COLUMN last_cpu_percent real,
    ADD COLUMN last_memory_percent real,
    ADD COLUMN last_user text NOT NULL DEFAULT '' CHECK (length(last_user) <= 255);
