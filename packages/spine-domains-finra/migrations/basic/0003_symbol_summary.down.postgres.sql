-- spine:description undo 0003_symbol_summary
DROP VIEW IF EXISTS finra_otc_transparency_symbol_summary_latest;
DROP INDEX IF EXISTS idx_fotc_sym_sum_latest;
DROP INDEX IF EXISTS idx_fotc_sym_sum_symbol;
DROP INDEX IF EXISTS idx_fotc_sym_sum_capture;
DROP TABLE IF EXISTS finra_otc_transparency_symbol_summary;
