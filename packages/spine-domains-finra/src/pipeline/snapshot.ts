import type { ExecutionContext, SpineDb } from '@market-spine/core';
import { CALCS } from '../calcs.js';
import type { CalcName } from '../calcs.js';
import { percentString, ratioString } from '../calculations.js';
import { insertCalcRows } from './calc-rows.js';
import { completeStage } from './stage-record.js';
import type { StageCounts } from './stage-record.js';
import { DOMAIN, captureScope } from './stages.js';
import type { CaptureRef } from './stages.js';

const STATUS_ORDER = ['PASS', 'WARN', 'FAIL'] as const;

/**
 * The snapshot stage: one research row per symbol of the capture (seed 001
 * `otc_research_snapshot`): totals, top venue and its share in percent,
 * average trade size, HHI, rolling metrics, and the worst quality status
 * recorded for the capture so far. Records SNAPSHOT in the same transaction.
 */
export async function snapshotCapture(db: SpineDb, capture: CaptureRef, execution: ExecutionContext): Promise<StageCounts> {
  return db.transaction(async (tx) => {
    const ofCapture = <N extends CalcName>(name: N) =>
      tx.kysely
        .selectFrom(CALCS[name].table)
        .where((eb) => eb.and(captureScope(capture)))
        .where('calc_name', '=', name)
        .where('calc_version', '=', CALCS[name].current);
    const summaries = await ofCapture('symbol_summary').select(['symbol', 'total_volume', 'total_trades', 'venue_count']).orderBy('symbol').execute();
    const tops = await ofCapture('weekly_symbol_venue_share').select(['symbol', 'mpid', 'venue_volume', 'symbol_volume']).where('venue_rank', '=', 1).orderBy('symbol').orderBy('mpid').execute();
    const hhis = await ofCapture('venue_concentration_hhi').select(['symbol', 'hhi']).execute();
    const rolling = await ofCapture('symbol_rolling_6w')
      .select(['symbol', 'avg_6w_volume', 'avg_6w_trades', 'trend_direction', 'weeks_in_window', 'is_complete_window'])
      .execute();
    const statuses = await tx.kysely
      .selectFrom('core_quality_checks')
      .select('status')
      .distinct()
      .where('domain', '=', DOMAIN)
      .where('capture_id', '=', capture.captureId)
      .execute();
    const worst = statuses.reduce<(typeof STATUS_ORDER)[number] | null>((acc, { status }) => {
      const s = status === 'ERROR' ? 'FAIL' : (status as (typeof STATUS_ORDER)[number]);
      return acc === null || STATUS_ORDER.indexOf(s) > STATUS_ORDER.indexOf(acc) ? s : acc;
    }, null);

    const topBySymbol = new Map<string, (typeof tops)[number]>();
    for (const t of tops) if (!topBySymbol.has(t.symbol)) topBySymbol.set(t.symbol, t);
    const hhiBySymbol = new Map(hhis.map((h) => [h.symbol as string, h.hhi as number]));
    const rollingBySymbol = new Map(rolling.map((r) => [r.symbol as string, r]));

    const rows = summaries.map((s) => {
      const top = topBySymbol.get(s.symbol);
      const roll = rollingBySymbol.get(s.symbol);
      return [
        s.symbol,
        s.total_volume,
        s.total_trades,
        s.venue_count,
        top?.mpid ?? null,
        top ? percentString(top.venue_volume, top.symbol_volume) : null,
        ratioString(s.total_volume, s.total_trades),
        hhiBySymbol.get(s.symbol) ?? null,
        roll?.avg_6w_volume ?? null,
        roll?.avg_6w_trades ?? null,
        roll?.trend_direction ?? null,
        roll?.weeks_in_window ?? null,
        roll?.is_complete_window ?? null,
        roll ? 1 : 0,
        worst,
      ];
    });
    const written = await insertCalcRows(
      tx,
      'research_snapshot',
      capture,
      execution,
      [
        'symbol',
        'total_volume',
        'total_trades',
        'venue_count',
        'top_venue_mpid',
        'top_venue_share_pct',
        'avg_trade_size',
        'hhi',
        'rolling_avg_6w_volume',
        'rolling_avg_6w_trades',
        'rolling_trend_direction',
        'rolling_weeks_available',
        'rolling_is_complete',
        'has_rolling_data',
        'quality_status',
      ],
      rows,
    );
    await completeStage(tx, execution, capture, 'SNAPSHOT', { rowsIn: summaries.length, rowsOut: written, rejected: 0 }, { metadata: { qualityStatus: worst } });
    return { rowsIn: summaries.length, rowsOut: written, rejected: 0 };
  });
}
