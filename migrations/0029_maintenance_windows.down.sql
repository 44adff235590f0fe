SELECT set_config('breeze.system', 'on', true);
UPDATE alerts SET resolution = 'cleared' WHERE resolution = 'maintenance_ended';
ALTER TABLE alerts DROP CONSTRAINT alerts_resolution_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_resolution_check CHECK (resolution IN (
    'cleared', 'by_hand', 'rule_deleted', 'rule_disabled', 'device_deleted', 'no_longer_applies'));
ALTER TABLE alerts DROP COLUMN maintenance;
DROP TABLE maintenance_windows;
