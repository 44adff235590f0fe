DROP FUNCTION breeze_schedule_next(timestamptz, text, text, timestamptz);
DROP TABLE script_schedules;
