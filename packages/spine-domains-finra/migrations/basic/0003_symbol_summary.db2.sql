-- spine:description finra_otc_transparency_symbol_summary: per symbol and week: total volume, trades, venue count, average trade size
-- DB2 variant of 0003_symbol_summary.sql (DDL output only; run in Apache Derby by
-- packages/spine-core/src/dialect/db2/db2-ddl.test.ts). DB2 has no IF NOT EXISTS:
-- the migration ledger keeps a migration from running twice.
-- Per symbol and week: total volume, trades, venue count, average trade size.
-- Calc registered in CALCS as symbol_summary; rows of several versions and captures coexist.
-- Symbol rule of the SQLite CHECK, not weakened: 1-16 characters from A-Z 0-9 . / -
-- and not starting with . / or -. SQLite says it with GLOB '*[^A-Z0-9./-]*', which
-- DB2 lacks; here each position is looked up in the allowed characters with LOCATE
-- (the value is padded with 'A' so positions past its end pass). DB2 alone could
-- use TRANSLATE, but Derby, which runs these scripts in the tests, has no TRANSLATE.
-- (The CAST to VARCHAR(1) is for Derby 10.14, whose LOCATE fails with a Java
-- NoSuchMethodError on a bare SUBSTR argument; it changes nothing in DB2.)
-- Business dates (WEEK_ENDING and friends) are DATE columns: the SQLite GLOB
-- 'YYYY-MM-DD' shape CHECK is enforced by the type itself (stricter: a real date).
-- Instants (CAPTURED_AT, CALCULATED_AT) are TIMESTAMP, in UTC.
CREATE TABLE FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY (
    WEEK_ENDING DATE NOT NULL,                          -- the Friday ending the trading week
    TIER VARCHAR(20) NOT NULL CHECK (TIER IN ('NMS_TIER_1', 'NMS_TIER_2', 'OTC')),
    SYMBOL VARCHAR(16) NOT NULL CHECK (                 -- symbol rule: see the header
        LENGTH(SYMBOL) BETWEEN 1 AND 16
        AND SUBSTR(SYMBOL || 'A', 1, 1) NOT IN ('.', '/', '-')
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 1, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 2, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 3, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 4, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 5, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 6, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 7, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 8, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 9, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 10, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 11, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 12, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 13, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 14, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 15, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
        AND LOCATE(CAST(SUBSTR(SYMBOL || 'AAAAAAAAAAAAAAAA', 16, 1) AS VARCHAR(1)), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./-') > 0
    ),
    ISSUE_NAME VARCHAR(200),
    TOTAL_VOLUME BIGINT NOT NULL CHECK (TOTAL_VOLUME >= 0),            -- shares
    TOTAL_TRADES BIGINT NOT NULL CHECK (TOTAL_TRADES >= 0),            -- trades
    VENUE_COUNT INTEGER NOT NULL CHECK (VENUE_COUNT >= 1),
    AVG_TRADE_SIZE DOUBLE CHECK (AVG_TRADE_SIZE IS NULL OR AVG_TRADE_SIZE >= 0), -- shares per trade; NULL when no trades
    CALC_NAME VARCHAR(64) NOT NULL,
    CALC_VERSION VARCHAR(32) NOT NULL,
    CAPTURE_ID VARCHAR(64) NOT NULL REFERENCES FINRA_OTC_TRANSPARENCY_CAPTURES (CAPTURE_ID),
    CAPTURED_AT TIMESTAMP NOT NULL,
    EXECUTION_ID VARCHAR(64) NOT NULL,
    BATCH_ID VARCHAR(64),
    CALCULATED_AT TIMESTAMP NOT NULL,
    UNIQUE (WEEK_ENDING, TIER, SYMBOL, CALC_NAME, CALC_VERSION, CAPTURE_ID)
);

-- Standard index set (seed 000 "Index Design Patterns"); the latest index also
-- carries calc name and version so the *_LATEST views seek instead of scanning.
CREATE INDEX IDX_FOTC_SYM_SUM_CAPTURE ON FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY (WEEK_ENDING, TIER, CAPTURE_ID);
CREATE INDEX IDX_FOTC_SYM_SUM_SYMBOL ON FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY (SYMBOL, WEEK_ENDING, TIER);
CREATE INDEX IDX_FOTC_SYM_SUM_LATEST ON FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY (WEEK_ENDING, TIER, CALC_NAME, CALC_VERSION, CAPTURED_AT DESC, CAPTURE_ID DESC);

-- Current version, newest capture per (week, tier); capture_id breaks captured_at ties.
-- The SQLite view keeps the rows whose capture is the first by captured_at DESC,
-- capture_id DESC (ORDER BY ... LIMIT 1 in a correlated subquery, which Derby does not
-- accept); here the same capture is MAX(CAPTURE_ID) among the rows at MAX(CAPTURED_AT),
-- with nested correlated MAX subqueries that DB2 and Derby both accept.
-- IDX_FOTC_SYM_SUM_LATEST serves both subqueries.
CREATE VIEW FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY_LATEST AS
SELECT T.*
FROM FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY AS T
WHERE T.CALC_NAME = 'symbol_summary' AND T.CALC_VERSION = 'v1'
  AND T.CAPTURE_ID = (
    SELECT MAX(C.CAPTURE_ID) FROM FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY AS C
    WHERE C.WEEK_ENDING = T.WEEK_ENDING AND C.TIER = T.TIER
      AND C.CALC_NAME = T.CALC_NAME AND C.CALC_VERSION = T.CALC_VERSION
      AND C.CAPTURED_AT = (
        SELECT MAX(D.CAPTURED_AT) FROM FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY AS D
        WHERE D.WEEK_ENDING = T.WEEK_ENDING AND D.TIER = T.TIER
          AND D.CALC_NAME = T.CALC_NAME AND D.CALC_VERSION = T.CALC_VERSION));

-- spine:db2-only COMMENT ON: DB2 catalog remarks for DBAs; Derby has no COMMENT statement
COMMENT ON TABLE FINRA_OTC_TRANSPARENCY_SYMBOL_SUMMARY IS 'FINRA OTC weekly totals per symbol (volume, trades, venue count, average trade size) and capture; calc symbol_summary.';
