SELECT set_config('breeze.system', 'on', true);
DELETE FROM role_permissions WHERE resource = 'scripts';
DELETE FROM device_commands WHERE command_type = 'run_script';
DROP TABLE command_output;
DROP INDEX device_commands_user_idx;
ALTER TABLE device_commands DROP COLUMN run_id, DROP COLUMN script_version_id, DROP COLUMN script_id;
DROP TABLE script_runs;
DROP TABLE script_versions;
DROP TABLE scripts;
