ALTER TABLE devices DROP COLUMN last_cpu_percent, DROP COLUMN last_memory_percent, DROP COLUMN last_user;
