-- spine:description finra_otc_transparency_venue_share: tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank
-- DB2 variant of 0005_venue_share.sql (DDL output only; run in Apache Derby by
-- packages/spine-core/src/dialect/db2/db2-ddl.test.ts). DB2 has no IF NOT EXISTS:
-- the migration ledger keeps a migration from running twice.
-- Tier-wide market share of each venue (MPID) for a week (fraction 0-1), with rank.
-- RANK is a DB2 reserved word (and the RANK() function): the column is the delimited
-- identifier "RANK", the same upper-case name as an unquoted RANK, so readers that
-- select RANK or T.* see the SQLite column; queries must write it quoted.
-- Calc registered in CALCS as venue_market_share; rows of several versions and captures coexist.
-- MPID rule of the SQLite CHECK, not weakened: exactly 4 characters from A-Z 0-9,
-- checked position by position with LOCATE instead of GLOB '*[^A-Z0-9]*' (the
-- CAST to VARCHAR(1) is for Derby 10.14, whose LOCATE fails on a bare SUBSTR).
-- Business dates (WEEK_ENDING and friends) are DATE columns: the SQLite GLOB
-- 'YYYY-MM-DD' shape CHECK is enforced by the type itself (stricter: a real date).
-- Instants (CAPTURED_AT, CALCULATED_AT) are TIMESTAMP, in UTC.
CREATE TABLE FINRA_OTC_TRANSPARENCY_VENUE_SHARE (
    WEEK_ENDING DATE NOT NULL,                          -- the Friday ending the trading week
    TIER VARCHAR(20) NOT NULL CHECK (TIER IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    MPID VARCHAR(4) NOT NULL CHECK (                     -- MPID rule: see the header
        LENGTH(MPID) = 4
        AND LOCATE(CAST(SUBSTR(MPID || 'AAAA', 1, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') > 0
        AND LOCATE(CAST(SUBSTR(MPID || 'AAAA', 2, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') > 0
        AND LOCATE(CAST(SUBSTR(MPID || 'AAAA', 3, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') > 0
        AND LOCATE(CAST(SUBSTR(MPID || 'AAAA', 4, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') > 0
    ),
    MARKET_PARTICIPANT_NAME VARCHAR(200),
    TOTAL_VOLUME BIGINT NOT NULL CHECK (TOTAL_VOLUME >= 0),            -- shares
    TOTAL_TRADES BIGINT NOT NULL CHECK (TOTAL_TRADES >= 0),            -- trades
    SYMBOL_COUNT INTEGER NOT NULL CHECK (SYMBOL_COUNT >= 1),
    MARKET_SHARE DOUBLE NOT NULL CHECK (MARKET_SHARE BETWEEN 0 AND 1), -- fraction of the tier's weekly volume
    "RANK" INTEGER NOT NULL CHECK ("RANK" >= 1),
    CALC_NAME VARCHAR(64) NOT NULL,
    CALC_VERSION VARCHAR(32) NOT NULL,
    CAPTURE_ID VARCHAR(64) NOT NULL REFERENCES FINRA_OTC_TRANSPARENCY_CAPTURES (CAPTURE_ID),
    CAPTURED_AT TIMESTAMP NOT NULL,
    EXECUTION_ID VARCHAR(64) NOT NULL,
    BATCH_ID VARCHAR(64),
    CALCULATED_AT TIMESTAMP NOT NULL,
    UNIQUE (WEEK_ENDING, TIER, MPID, CALC_NAME, CALC_VERSION, CAPTURE_ID)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index also
-- carries calc name and version so the *_LATEST views seek instead of scanning.
CREATE INDEX IDX_FOTC_VENUE_SHARE_CAPTURE ON FINRA_OTC_TRANSPARENCY_VENUE_SHARE (WEEK_ENDING, TIER, CAPTURE_ID);
CREATE INDEX IDX_FOTC_VENUE_SHARE_MPID ON FINRA_OTC_TRANSPARENCY_VENUE_SHARE (MPID, WEEK_ENDING, TIER);
CREATE INDEX IDX_FOTC_VENUE_SHARE_LATEST ON FINRA_OTC_TRANSPARENCY_VENUE_SHARE (WEEK_ENDING, TIER, CALC_NAME, CALC_VERSION, CAPTURED_AT DESC, CAPTURE_ID DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
-- The SQLite view keeps the rows whose capture is the first by captured_at DESC,
-- capture_id DESC (ORDER BY ... LIMIT 1 in a correlated subquery, which Derby does not
-- accept); here the same capture is MAX(CAPTURE_ID) among the rows at MAX(CAPTURED_AT),
-- with nested correlated MAX subqueries that DB2 and Derby both accept.
-- IDX_FOTC_VENUE_SHARE_LATEST serves both subqueries.
CREATE VIEW FINRA_OTC_TRANSPARENCY_VENUE_SHARE_LATEST AS
SELECT T.*
FROM FINRA_OTC_TRANSPARENCY_VENUE_SHARE AS T
WHERE T.CALC_NAME = 'venue_market_share' AND T.CALC_VERSION = 'v1'
  AND T.CAPTURE_ID = (
    SELECT MAX(C.CAPTURE_ID) FROM FINRA_OTC_TRANSPARENCY_VENUE_SHARE AS C
    WHERE C.WEEK_ENDING = T.WEEK_ENDING AND C.TIER = T.TIER
      AND C.CALC_NAME = T.CALC_NAME AND C.CALC_VERSION = T.CALC_VERSION
      AND C.CAPTURED_AT = (
        SELECT MAX(D.CAPTURED_AT) FROM FINRA_OTC_TRANSPARENCY_VENUE_SHARE AS D
        WHERE D.WEEK_ENDING = T.WEEK_ENDING AND D.TIER = T.TIER
          AND D.CALC_NAME = T.CALC_NAME AND D.CALC_VERSION = T.CALC_VERSION));

-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_VENUE_SHARE IS 'Tier-wide FINRA OTC market share (fraction 0-1) and rank of each venue (MPID) per week and capture; calc venue_market_share.';
