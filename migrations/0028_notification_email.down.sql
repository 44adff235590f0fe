DROP TABLE notification_smtp;
