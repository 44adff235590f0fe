SELECT set_config('breeze.system', 'on', true);
DELETE FROM role_permissions WHERE resource = 'devices';
DROP TABLE devices;
