import { nowIso } from '@market-spine/core';
import type { ExecutionContext, SpineDb, SqlValue } from '@market-spine/core';
import { validateRow } from '@market-spine/quality';
import type { RowRule } from '@market-spine/quality';
import { insertCalcRows } from './calc-rows.js';
import { REJECT_COLUMNS } from './ingest.js';
import { completeStage } from './stage-record.js';
import type { StageCounts } from './stage-record.js';
import { captureScope } from './stages.js';
import type { CaptureRef } from './stages.js';

/** A symbol as FINRA lists it: A–Z, 0–9, `.`, `/`, `-`, 1–16 characters, not starting with punctuation. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9./-]{0,15}$/;
/** An MPID: four upper-case letters or digits (seed 001: INVALID_MPID "MPID not 4 characters"). */
export const MPID_PATTERN = /^[A-Z0-9]{4}$/;

/**
 * Row rules of a normalized venue row, in the order they are checked. They
 * mirror the CHECK constraints of `finra_otc_transparency_weekly_symbol_venue_volume`
 * (symbol and MPID patterns, non-negative counts) so a bad row becomes a
 * reject with a reason instead of a failed insert. ZERO_VOLUME is the seed's
 * optional reject: FINRA never publishes zero-share rows, and a symbol without
 * volume has no venue shares.
 */
export const VENUE_ROW_RULES: readonly RowRule[] = [
  { column: 'symbol', rule: 'pattern', pattern: SYMBOL_PATTERN, code: 'INVALID_SYMBOL', message: 'symbol must be 1-16 characters of A-Z, 0-9, ".", "/", "-"' },
  { column: 'mpid', rule: 'pattern', pattern: MPID_PATTERN, code: 'INVALID_MPID', message: 'MPID must be 4 characters of A-Z, 0-9' },
  { column: 'total_volume', rule: 'non_negative', code: 'NEGATIVE_VOLUME', message: 'total shares is negative' },
  { column: 'trade_count', rule: 'non_negative', code: 'NEGATIVE_TRADES', message: 'total trades is negative' },
  { column: 'total_volume', rule: 'between', min: 1, code: 'ZERO_VOLUME', message: 'total shares is zero' },
];

const VENUE_COLUMNS = ['symbol', 'mpid', 'issue_name', 'market_participant_name', 'total_volume', 'trade_count', 'source_last_update_date'] as const;

/**
 * The normalize stage: validates the capture's raw rows (symbol, MPID,
 * counts, duplicate (symbol, MPID) keys — the first occurrence wins), writes
 * the accepted ones as `weekly_symbol_venue_volume` rows and the others as
 * NORMALIZE rejects, and records NORMALIZED — all in one transaction.
 * Running it again for the same capture leaves the same rows and rejects.
 */
export async function normalizeCapture(db: SpineDb, capture: CaptureRef, execution: ExecutionContext): Promise<StageCounts> {
  return db.transaction(async (tx) => {
    const raw = await tx.kysely
      .selectFrom('finra_otc_transparency_raw')
      .selectAll()
      .where((eb) => eb.and(captureScope(capture)))
      .orderBy('line_number')
      .execute();
    const { source_locator: locator } = await tx.kysely
      .selectFrom('finra_otc_transparency_captures')
      .select('source_locator')
      .where('capture_id', '=', capture.captureId)
      .executeTakeFirstOrThrow();
    const accepted: SqlValue[][] = [];
    const rejects: SqlValue[][] = [];
    const seen = new Map<string, number>();
    const now = nowIso();
    for (const row of raw) {
      const candidate = {
        symbol: String(row.symbol).trim(),
        mpid: String(row.mpid).trim(),
        total_volume: Number(row.total_weekly_share_quantity),
        trade_count: Number(row.total_weekly_trade_count),
      };
      let code: string | undefined;
      let detail = '';
      const verdict = validateRow(VENUE_ROW_RULES, candidate);
      if (!verdict.ok) {
        const first = verdict.violations[0];
        code = first?.code;
        detail = first?.detail ?? '';
      } else {
        const key = `${candidate.symbol}|${candidate.mpid}`;
        const firstLine = seen.get(key);
        if (firstLine !== undefined) {
          code = 'DUPLICATE_KEY';
          detail = `(${candidate.symbol}, ${candidate.mpid}) already on line ${firstLine}`;
        } else {
          seen.set(key, Number(row.line_number));
        }
      }
      if (code !== undefined) {
        rejects.push([row.load_id, capture.captureId, capture.weekEnding, capture.tier, locator, row.line_number, row.raw_line, row.record_hash, 'NORMALIZE', code, detail, execution.executionId, execution.batchId, now]);
        continue;
      }
      accepted.push([candidate.symbol, candidate.mpid, row.issue_name, row.market_participant_name, candidate.total_volume, candidate.trade_count, row.source_last_update_date]);
    }
    await insertCalcRows(tx, 'weekly_symbol_venue_volume', capture, execution, VENUE_COLUMNS, accepted);
    // Run again for the same capture, the stage finds the same rejects: they replace the stored ones instead of doubling them.
    await tx.kysely.deleteFrom('finra_otc_transparency_rejects').where('capture_id', '=', capture.captureId).where('stage', '=', 'NORMALIZE').execute();
    await tx.insertRows('finra_otc_transparency_rejects', REJECT_COLUMNS, rejects);
    const counts = { rowsIn: raw.length, rowsOut: accepted.length, rejected: rejects.length };
    await completeStage(tx, execution, capture, 'NORMALIZED', counts);
    return counts;
  });
}
