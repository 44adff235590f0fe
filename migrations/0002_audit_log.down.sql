DROP FUNCTION breeze_audit_verify(), breeze_audit_digest(text, audit_log);
DROP TABLE audit_log, audit_chain_head;
DROP SEQUENCE audit_log_id_seq;
DROP FUNCTION breeze_audit_chain(), breeze_audit_append_only();
