-- What a load leaves behind if its process dies: the upload file it reads and the table it fills.
-- Recorded before the load starts, so the sweeper of any web replica can remove both when the
-- load's heartbeat stops, without waiting for an age threshold. One statement: it applies whole or not at all.
ALTER TABLE dataset_loads ADD COLUMN upload_id CHAR(32) NULL, ADD COLUMN table_name VARCHAR(64) NULL, ADD INDEX dataset_loads_status (status, heartbeat_at);
