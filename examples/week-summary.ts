/**
 * Week summary of FINRA OTC transparency data, as an analyst queries it:
 * loaded weeks, the week's top venues by market share, one symbol's venue
 * shares and HHI, and a CSV of every symbol of the week.
 *
 *   pnpm --dir examples exec tsx week-summary.ts [database] [week] [tier] [symbol] [out.csv]
 *
 * Defaults: database `$SPINE_DB` or `./spine.db`; week and tier: the newest
 * loaded week; symbol: the week's most traded symbol (by shares); out:
 * `week-summary_<week>_<tier>.csv`. The database is opened read-only: the
 * script never changes it. Every query reads a `*_latest` view (the newest
 * capture of each week, current calc version); units: volumes in shares,
 * shares and HHI as fractions 0–1.
 */
import { writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { isSpineError, openSpineDb } from '@market-spine/core';
import { listWeeks, parseFinraTier, parseWeekEnding, venueRanking } from '@market-spine/domains-finra';
import type { FinraTables, FinraTier } from '@market-spine/domains-finra';

const [target = process.env.SPINE_DB || 'spine.db', weekArg, tierArg, symbolArg, outArg] = process.argv.slice(2);

const pct = (fraction: number | null) => (fraction === null ? '' : `${(fraction * 100).toFixed(2)} %`);
const count = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  // Read-only: a missing file is an error, not a new empty database.
  const db = await openSpineDb<FinraTables>({ target, readonly: true });
  try {
    // 1. Loaded weeks (newest first), with their stage and worst quality status.
    const weeks = await listWeeks(db);
    if (weeks.length === 0) throw new Error(`No week is loaded in ${target}: run \`spine finra run <files>\` first.`);
    console.log(`Loaded weeks in ${target}:`);
    for (const w of weeks) console.log(`  ${w.weekEnding} ${w.tier.padEnd(10)} ${w.stage.padEnd(10)} ${count(w.symbols).padStart(6)} symbols  ${count(w.totalVolume ?? 0).padStart(15)} shares  quality ${w.quality ?? '-'}`);

    const week = weekArg === undefined ? weeks[0]!.weekEnding : parseWeekEnding(weekArg);
    const tier: FinraTier = tierArg === undefined ? weeks[0]!.tier : parseFinraTier(tierArg);

    // 2. Top venues of the tier by market share (the read API).
    const venues = await venueRanking(db, week, tier);
    if (venues.length === 0) throw new Error(`No venue data for ${week} ${tier}; loaded: ${weeks.map((w) => `${w.weekEnding} ${w.tier}`).join(', ')}.`);
    console.log(`\nTop venues by market share, ${week} ${tier}:`);
    for (const v of venues.slice(0, 5)) console.log(`  ${String(v.rank).padStart(2)}. ${v.mpid.padEnd(5)} ${pct(v.marketShare).padStart(8)}  ${count(v.totalVolume).padStart(15)} shares  ${v.participantName ?? ''}`);

    // 3. One symbol: venue shares and HHI, with typed Kysely queries on the *_latest views.
    const symbol =
      symbolArg ??
      (
        await db.kysely
          .selectFrom('finra_otc_transparency_symbol_summary_latest')
          .select('symbol')
          .where('week_ending', '=', week)
          .where('tier', '=', tier)
          .orderBy('total_volume', 'desc')
          .orderBy('symbol')
          .executeTakeFirstOrThrow()
      ).symbol;
    const shares = await db.kysely
      .selectFrom('finra_otc_transparency_weekly_symbol_venue_share_latest')
      .select(['mpid', 'venue_volume', 'venue_share', 'venue_rank'])
      .where('week_ending', '=', week)
      .where('tier', '=', tier)
      .where('symbol', '=', symbol)
      .orderBy('venue_rank')
      .orderBy('mpid')
      .execute();
    const concentration = await db.kysely
      .selectFrom('finra_otc_transparency_weekly_symbol_venue_concentration_hhi_latest')
      .select(['hhi', 'venue_count', 'total_volume'])
      .where('week_ending', '=', week)
      .where('tier', '=', tier)
      .where('symbol', '=', symbol)
      .executeTakeFirst();
    if (!concentration) {
      console.log(`\n${symbol}: no data for ${week} ${tier}.`);
    } else {
      console.log(`\n${symbol}, ${week} ${tier}: ${count(concentration.total_volume)} shares on ${concentration.venue_count} venue(s), HHI ${concentration.hhi.toFixed(4)}`);
      for (const s of shares) console.log(`  ${s.mpid.padEnd(5)} ${pct(s.venue_share).padStart(8)}  ${count(s.venue_volume).padStart(12)} shares`);
      // HHI is the sum of the squared venue shares:
      console.log(`  Σ share² = ${shares.reduce((sum, s) => sum + s.venue_share ** 2, 0).toFixed(4)}`);
    }

    // 4. Every symbol of the week, with its top venue and HHI, as CSV.
    const rows = await db.kysely
      .selectFrom('finra_otc_transparency_research_snapshot_latest as r')
      .innerJoin('finra_otc_transparency_symbol_summary_latest as s', (j) =>
        j.onRef('s.week_ending', '=', 'r.week_ending').onRef('s.tier', '=', 'r.tier').onRef('s.symbol', '=', 'r.symbol'),
      )
      .select(['r.week_ending', 'r.tier', 'r.symbol', 's.issue_name', 'r.total_volume', 'r.total_trades', 'r.venue_count', 'r.top_venue_mpid', 'r.top_venue_share_pct', 'r.hhi', 'r.avg_trade_size'])
      .where('r.week_ending', '=', week)
      .where('r.tier', '=', tier)
      .orderBy('r.total_volume', 'desc')
      .orderBy('r.symbol')
      .execute();
    const out = outArg ?? `week-summary_${week}_${tier}.csv`;
    writeFileSync(out, stringify(rows, { header: true }));
    console.log(`\nWrote ${count(rows.length)} symbols to ${out}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  if (isSpineError(error)) console.error(`✗ ${error.message}${error.hint ? `\n  ${error.hint}` : ''}\n  [${error.code}]`);
  else console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
