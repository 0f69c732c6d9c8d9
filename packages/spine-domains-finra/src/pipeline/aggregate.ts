import type { ExecutionContext, SpineDb } from '@market-spine/core';
import { CALCS } from '../calcs.js';
import { summarizeSymbols, symbolVenueShares, tierVenueShares, venueConcentration } from '../calculations.js';
import type { VenueVolume } from '../calculations.js';
import { insertCalcRows } from './calc-rows.js';
import { completeStage } from './stage-record.js';
import type { StageCounts } from './stage-record.js';
import { captureScope } from './stages.js';
import type { CaptureRef } from './stages.js';

/**
 * The aggregate stage: from the capture's normalized venue rows, computes the
 * symbol summaries, each venue's share of its symbols, the tier-wide venue
 * market shares and the venue concentration (HHI), writes them and records
 * AGGREGATED — in one transaction.
 *
 * @returns rows read (venue rows) and written (symbol summaries); nothing is rejected here
 */
export async function aggregateCapture(db: SpineDb, capture: CaptureRef, execution: ExecutionContext): Promise<StageCounts & { readonly written: Readonly<Record<string, number>> }> {
  return db.transaction(async (tx) => {
    const rows = await tx.kysely
      .selectFrom(CALCS.weekly_symbol_venue_volume.table)
      .select(['symbol', 'mpid', 'issue_name', 'market_participant_name', 'total_volume', 'trade_count'])
      .where((eb) => eb.and(captureScope(capture)))
      .where('calc_name', '=', 'weekly_symbol_venue_volume')
      .where('calc_version', '=', CALCS.weekly_symbol_venue_volume.current)
      .execute();
    const venues: VenueVolume[] = rows.map((r) => ({
      symbol: r.symbol,
      mpid: r.mpid,
      issueName: r.issue_name,
      participantName: r.market_participant_name,
      volume: r.total_volume,
      trades: r.trade_count,
    }));
    const summaries = summarizeSymbols(venues);
    const written = {
      symbol_summary: await insertCalcRows(
        tx,
        'symbol_summary',
        capture,
        execution,
        ['symbol', 'issue_name', 'total_volume', 'total_trades', 'venue_count', 'avg_trade_size'],
        summaries.map((s) => [s.symbol, s.issueName, s.totalVolume, s.totalTrades, s.venueCount, s.avgTradeSize]),
      ),
      weekly_symbol_venue_share: await insertCalcRows(
        tx,
        'weekly_symbol_venue_share',
        capture,
        execution,
        ['symbol', 'mpid', 'venue_volume', 'symbol_volume', 'venue_share', 'venue_rank'],
        symbolVenueShares(venues).map((s) => [s.symbol, s.mpid, s.venueVolume, s.symbolVolume, s.venueShare, s.venueRank]),
      ),
      venue_market_share: await insertCalcRows(
        tx,
        'venue_market_share',
        capture,
        execution,
        ['mpid', 'market_participant_name', 'total_volume', 'total_trades', 'symbol_count', 'market_share', 'rank'],
        tierVenueShares(venues).map((v) => [v.mpid, v.participantName, v.totalVolume, v.totalTrades, v.symbolCount, v.marketShare, v.rank]),
      ),
      venue_concentration_hhi: await insertCalcRows(
        tx,
        'venue_concentration_hhi',
        capture,
        execution,
        ['symbol', 'venue_count', 'total_volume', 'hhi'],
        venueConcentration(venues).map((c) => [c.symbol, c.venueCount, c.totalVolume, c.hhi]),
      ),
    };
    await completeStage(tx, execution, capture, 'AGGREGATED', { rowsIn: venues.length, rowsOut: summaries.length, rejected: 0 }, { metadata: { written } });
    return { rowsIn: venues.length, rowsOut: summaries.length, rejected: 0, written };
  });
}
