DROP TABLE file_push_targets;
DROP TABLE file_pushes;
DROP TABLE file_blob_chunks;
DROP TABLE file_blobs;
