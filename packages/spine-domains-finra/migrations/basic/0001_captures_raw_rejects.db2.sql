-- spine:description FINRA OTC transparency captures, raw rows and rejects
-- DB2 variant of 0001_captures_raw_rejects.sql (DDL output only; run in Apache Derby by
-- packages/spine-core/src/dialect/db2/db2-ddl.test.ts). DB2 has no IF NOT EXISTS:
-- the migration ledger keeps a migration from running twice.
-- Three clocks (seed 000): week_ending is business time, source_last_update_date
-- is FINRA's lastUpdateDate, captured_at/capture_id is when we ingested.
-- Business dates (WEEK_ENDING and friends) are DATE columns: the SQLite GLOB
-- 'YYYY-MM-DD' shape CHECK is enforced by the type itself (stricter: a real date).
-- Instants (CAPTURED_AT, CALCULATED_AT) are TIMESTAMP, in UTC.
-- REJECT_ID is GENERATED ALWAYS: inserts leave it out and DB2 numbers the rows.
-- FINRA_OTC_TRANSPARENCY_RAW and _REJECTS declare rows longer than a 4 KB page
-- (RAW_LINE VARCHAR(4000) plus the rest): they need EXTENDED_ROW_SZ ENABLE (the
-- default for databases created by DB2 10.5 and later) or an 8 KB tablespace.

-- One row per (week, tier) content ingested from one source file. A new file
-- for a loaded (week, tier) is a new capture beside the old one.
CREATE TABLE FINRA_OTC_TRANSPARENCY_CAPTURES (
    CAPTURE_ID VARCHAR(64) NOT NULL PRIMARY KEY,
    WEEK_ENDING DATE NOT NULL,                          -- the Friday ending the trading week
    TIER VARCHAR(20) NOT NULL CHECK (TIER IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    WEEK_ENDING_SOURCE VARCHAR(10) NOT NULL CHECK (WEEK_ENDING_SOURCE IN ('derived', 'override', 'file')),
    LOAD_ID VARCHAR(64) NOT NULL,
    SOURCE_TYPE VARCHAR(20) NOT NULL,
    SOURCE_LOCATOR VARCHAR(2048) NOT NULL,
    SOURCE_SHA256 VARCHAR(64) NOT NULL,
    SOURCE_BYTES BIGINT NOT NULL CHECK (SOURCE_BYTES >= 0),
    SOURCE_FORMAT VARCHAR(50) NOT NULL,
    SOURCE_LAST_UPDATE_DATE DATE,                       -- FINRA lastUpdateDate
    LINES_TOTAL BIGINT NOT NULL CHECK (LINES_TOTAL >= 0),
    -- Furthest stage this capture reached; CORE_MANIFEST keeps only the latest capture per stage.
    STAGE VARCHAR(20) NOT NULL DEFAULT 'INGESTED' CHECK (STAGE IN ('INGESTED', 'NORMALIZED', 'AGGREGATED', 'ROLLING', 'SNAPSHOT')),
    CAPTURED_AT TIMESTAMP NOT NULL,
    EXECUTION_ID VARCHAR(64) NOT NULL,
    BATCH_ID VARCHAR(64),
    UNIQUE (WEEK_ENDING, TIER, SOURCE_SHA256)
);

CREATE INDEX IDX_FOTC_CAPTURES_LATEST
    ON FINRA_OTC_TRANSPARENCY_CAPTURES (WEEK_ENDING, TIER, CAPTURED_AT DESC, CAPTURE_ID DESC);
CREATE INDEX IDX_FOTC_CAPTURES_LOAD ON FINRA_OTC_TRANSPARENCY_CAPTURES (LOAD_ID);

-- Source rows as delivered, one per accepted input line. Numbers are parsed;
-- nothing else is cleaned (that is the normalize stage's job), so SYMBOL and MPID
-- are wider here than in the normalized tables and carry no pattern CHECK.
CREATE TABLE FINRA_OTC_TRANSPARENCY_RAW (
    CAPTURE_ID VARCHAR(64) NOT NULL REFERENCES FINRA_OTC_TRANSPARENCY_CAPTURES (CAPTURE_ID),
    LOAD_ID VARCHAR(64) NOT NULL,
    LINE_NUMBER INTEGER NOT NULL CHECK (LINE_NUMBER >= 1),
    WEEK_ENDING DATE NOT NULL,                          -- the Friday ending the trading week
    TIER VARCHAR(20) NOT NULL CHECK (TIER IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    SOURCE_TIER VARCHAR(64),                            -- tierDescription / Tier as written
    SOURCE_WEEK_ENDING VARCHAR(64),                     -- WeekEnding as written (6-column form)
    SYMBOL VARCHAR(200) NOT NULL,
    ISSUE_NAME VARCHAR(200),
    MARKET_PARTICIPANT_NAME VARCHAR(200),
    MPID VARCHAR(200) NOT NULL,
    TOTAL_WEEKLY_SHARE_QUANTITY BIGINT NOT NULL,
    TOTAL_WEEKLY_TRADE_COUNT BIGINT NOT NULL,
    SOURCE_LAST_UPDATE_DATE DATE,                       -- FINRA lastUpdateDate (validated at ingest)
    RAW_LINE VARCHAR(4000) NOT NULL,                    -- the line as delivered, for rejects at later stages
    RECORD_HASH VARCHAR(64) NOT NULL,                   -- sha256 of the raw line
    CAPTURED_AT TIMESTAMP NOT NULL,
    EXECUTION_ID VARCHAR(64) NOT NULL,
    BATCH_ID VARCHAR(64),
    UNIQUE (CAPTURE_ID, LINE_NUMBER)
);

CREATE INDEX IDX_FOTC_RAW_CAPTURE ON FINRA_OTC_TRANSPARENCY_RAW (WEEK_ENDING, TIER, CAPTURE_ID);
CREATE INDEX IDX_FOTC_RAW_SYMBOL ON FINRA_OTC_TRANSPARENCY_RAW (SYMBOL, WEEK_ENDING, TIER);
CREATE INDEX IDX_FOTC_RAW_LATEST ON FINRA_OTC_TRANSPARENCY_RAW (WEEK_ENDING, TIER, CAPTURED_AT DESC, CAPTURE_ID DESC);
CREATE INDEX IDX_FOTC_RAW_HASH ON FINRA_OTC_TRANSPARENCY_RAW (RECORD_HASH);

-- Rows of the newest capture per (week, tier); capture_id breaks captured_at ties.
-- The SQLite view keeps the rows whose capture is the first by captured_at DESC,
-- capture_id DESC (ORDER BY ... LIMIT 1 in a correlated subquery, which Derby does not
-- accept); here the same capture is MAX(CAPTURE_ID) among the rows at MAX(CAPTURED_AT),
-- with nested correlated MAX subqueries that DB2 and Derby both accept.
-- IDX_FOTC_RAW_LATEST serves both subqueries.
CREATE VIEW FINRA_OTC_TRANSPARENCY_RAW_LATEST AS
SELECT R.*
FROM FINRA_OTC_TRANSPARENCY_RAW AS R
WHERE R.CAPTURE_ID = (
    SELECT MAX(C.CAPTURE_ID) FROM FINRA_OTC_TRANSPARENCY_RAW AS C
    WHERE C.WEEK_ENDING = R.WEEK_ENDING AND C.TIER = R.TIER
      AND C.CAPTURED_AT = (
        SELECT MAX(D.CAPTURED_AT) FROM FINRA_OTC_TRANSPARENCY_RAW AS D
        WHERE D.WEEK_ENDING = R.WEEK_ENDING AND D.TIER = R.TIER));

-- Every input line that did not become a row, with where and why (seed 001
-- "Rejection Reason Codes"). CAPTURE_ID is NULL when the line could not be
-- assigned to a (week, tier), e.g. an invalid WeekEnding.
CREATE TABLE FINRA_OTC_TRANSPARENCY_REJECTS (
    REJECT_ID BIGINT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    LOAD_ID VARCHAR(64) NOT NULL,
    CAPTURE_ID VARCHAR(64) REFERENCES FINRA_OTC_TRANSPARENCY_CAPTURES (CAPTURE_ID),
    WEEK_ENDING DATE,                                   -- NULL when the line's week could not be told
    TIER VARCHAR(20),
    SOURCE_LOCATOR VARCHAR(2048) NOT NULL,
    LINE_NUMBER INTEGER NOT NULL CHECK (LINE_NUMBER >= 1),
    RAW_LINE VARCHAR(4000) NOT NULL,                    -- a longer line must be cut to 4000 bytes by the writer
    RAW_RECORD_HASH VARCHAR(64) NOT NULL,
    STAGE VARCHAR(20) NOT NULL CHECK (STAGE IN ('INGEST', 'NORMALIZE', 'AGGREGATE')),
    REASON_CODE VARCHAR(32) NOT NULL CHECK (REASON_CODE IN (
        'PARSE_ERROR', 'INVALID_DATE', 'NOT_FRIDAY', 'INVALID_TIER', 'NEGATIVE_VOLUME',
        'NEGATIVE_TRADES', 'ZERO_VOLUME', 'INVALID_SYMBOL', 'INVALID_MPID', 'DUPLICATE_KEY')),
    REASON_DETAIL VARCHAR(4000) NOT NULL,
    EXECUTION_ID VARCHAR(64) NOT NULL,
    BATCH_ID VARCHAR(64),
    CREATED_AT TIMESTAMP NOT NULL
);

CREATE INDEX IDX_FOTC_REJECTS_WEEK ON FINRA_OTC_TRANSPARENCY_REJECTS (WEEK_ENDING, TIER);
CREATE INDEX IDX_FOTC_REJECTS_REASON ON FINRA_OTC_TRANSPARENCY_REJECTS (REASON_CODE);
CREATE INDEX IDX_FOTC_REJECTS_CAPTURE ON FINRA_OTC_TRANSPARENCY_REJECTS (CAPTURE_ID);
CREATE INDEX IDX_FOTC_REJECTS_LOAD ON FINRA_OTC_TRANSPARENCY_REJECTS (LOAD_ID);

-- Catalog remarks for DBAs (SYSCAT.TABLES.REMARKS, SYSCAT.COLUMNS.REMARKS): the three clocks.
-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_CAPTURES IS 'One row per FINRA OTC (week, tier) content ingested from one source file; a changed file for a loaded week is a new capture beside the old one.';

-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON COLUMN FINRA_OTC_TRANSPARENCY_CAPTURES.WEEK_ENDING IS 'Business time: the Friday ending the trading week the FINRA data describes.';

-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON COLUMN FINRA_OTC_TRANSPARENCY_CAPTURES.SOURCE_LAST_UPDATE_DATE IS 'FINRA lastUpdateDate: latest of the file rows; later than the publication date means a revision.';

-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON COLUMN FINRA_OTC_TRANSPARENCY_CAPTURES.CAPTURED_AT IS 'When Market Spine ingested this capture (UTC); with CAPTURE_ID it orders captures of a (week, tier).';

-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_RAW IS 'FINRA OTC source rows as delivered, one per accepted input line, per capture. Normalized rows are in FINRA_OTC_TRANSPARENCY_WEEKLY_SYMBOL_VENUE_VOLUME.';

-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_REJECTS IS 'Every FINRA OTC input line that did not become a row: line number, raw line, stage and reason code (seed 001 rejection reason codes).';
