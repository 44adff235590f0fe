DROP TABLE saved_device_filters;
