/**
 * Type-checked (never run) by consumer.test.mjs in the installed project with
 * `skipLibCheck: false`: the packages' shipped declarations must compile
 * against their installed dependencies, and the read API must be typed end
 * to end from the tarballs (a column that does not exist is an error; a
 * declaration that fell back to `any` would make the @ts-expect-error lines
 * unused, which is an error too).
 */
import { Migrator, coreMigrationSource, openSpineDb } from '@market-spine/core';
import type { SpineDb } from '@market-spine/core';
import { finraMigrationSource, runPipeline, sampleFiles } from '@market-spine/domains-finra';
import type { FinraTables } from '@market-spine/domains-finra';
import { riskMigrationSource } from '@market-spine/domains-risk';
import { runCli } from '@market-spine/cli';

export async function symbolVolume(path: string, symbol: string): Promise<number | undefined> {
  const db: SpineDb<FinraTables> = await openSpineDb<FinraTables>({ target: path });
  try {
    await new Migrator(db, { sources: [coreMigrationSource(), finraMigrationSource(), riskMigrationSource()] }).migrate();
    await runPipeline(db, sampleFiles());
    const row = await db.kysely
      .selectFrom('finra_otc_transparency_symbol_summary_latest')
      .select(['week_ending', 'tier', 'total_volume', 'avg_trade_size'])
      .where('symbol', '=', symbol)
      .orderBy('week_ending', 'desc')
      .executeTakeFirst();
    const volume: number | undefined = row?.total_volume;
    const size: number | null | undefined = row?.avg_trade_size;
    // @ts-expect-error total_volume is a number, not a string
    const wrong: string | undefined = row?.total_volume;
    // @ts-expect-error no such view
    db.kysely.selectFrom('finra_otc_transparency_symbol_summary_newest');
    // @ts-expect-error no such column
    db.kysely.selectFrom('finra_otc_transparency_symbol_summary_latest').select('shares');
    void size;
    void wrong;
    void runCli;
    return volume;
  } finally {
    await db.close();
  }
}
