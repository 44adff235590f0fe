-- Desktop sessions may be recorded: the encoded pictures as they were relayed, in segments of a few seconds, each
-- a complete video file (WebM for VP8, Matroska for H.264) that plays on its own. A segment is stored while it
-- grows (rewritten once the screen pauses) and for good once the next keyframe starts another, so a crash loses
-- at most the last seconds. The recording's row in session_recordings (bytes, kept by the same retention) is
-- shared with terminal recordings; its header says which kind it is.
CREATE TABLE desktop_recording_segments (
    session_id uuid NOT NULL REFERENCES session_recordings ON DELETE CASCADE,
    stream integer NOT NULL CHECK (stream >= 0),
    seq integer NOT NULL CHECK (seq >= 0),
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    codec text NOT NULL CHECK (codec IN ('vp8', 'h264')),
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    -- From the recording's start (session_recordings.started_at), on the server's clock.
    start_ms bigint NOT NULL CHECK (start_ms >= 0),
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
    pictures integer NOT NULL CHECK (pictures > 0),
    complete boolean NOT NULL DEFAULT false,
    body bytea NOT NULL,
    PRIMARY KEY (session_id, stream, seq)
);

ALTER TABLE desktop_recording_segments ENABLE ROW LEVEL SECURITY;
ALTER TABLE desktop_recording_segments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON desktop_recording_segments USING (breeze_site_visible(partner_id, org_id, site_id));
