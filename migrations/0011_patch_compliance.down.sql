DROP TABLE patch_compliance_daily;
DROP VIEW patch_compliance_now;
