import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleFiles } from '../samples.js';

/**
 * A FINRA revision derived from a real file: the first 40 rows of the bundled
 * OTC sample published 2025-12-15 (week ending 2025-11-14), and a revised
 * copy as FINRA would republish it — the rows it touches carry a later
 * lastUpdateDate (2025-12-22), the others keep the publication date, so the
 * week derives the same. The revision changes three rows (shares, trades,
 * both), drops AAGC's only row and adds a venue (ARCA) for AABB.
 */
export const REVISION = {
  weekEnding: '2025-11-14',
  tier: 'OTC',
  rows: 40,
  publishedOn: '2025-12-15',
  revisedOn: '2025-12-22',
  changed: [
    { symbol: 'AABB', mpid: 'OTCN', totalVolume: { old: 6753871, new: 6800000 }, tradeCount: { old: 171, new: 175 } },
    { symbol: 'AACAY', mpid: 'ARCA', totalVolume: { old: 12746, new: 13746 }, tradeCount: { old: 56, new: 56 } },
    { symbol: 'AAGIY', mpid: 'OTCX', totalVolume: { old: 74204, new: 74204 }, tradeCount: { old: 423, new: 430 } },
  ],
  removed: [{ symbol: 'AAGC', mpid: 'OTCN', totalVolume: 1055000, tradeCount: 5 }],
  added: [{ symbol: 'AABB', mpid: 'ARCA', totalVolume: 5000, tradeCount: 3 }],
  /** AABB before and after: shares, trades, venues. */
  aabb: { original: { totalVolume: 6794184, totalTrades: 174, venueCount: 2 }, revised: { totalVolume: 6845313, totalTrades: 181, venueCount: 3 } },
} as const;

/** Paths of the derived files. */
export interface RevisionFiles {
  readonly original: string;
  readonly revision: string;
  /** A second revision (AABB OTCN shares changed again), for captures that stop before NORMALIZED. */
  readonly secondRevision: string;
}

const SOURCE = 'finra_otc_weekly_otc_20251215.csv';

/** Replaces shares, trades and lastUpdateDate of the (symbol, MPID) line. */
function revise(lines: string[], symbol: string, mpid: string, shares: number, trades: number, date: string): string[] {
  let found = false;
  const out = lines.map((line) => {
    const fields = line.split('|');
    if (fields[1] !== symbol || fields[4] !== mpid) return line;
    found = true;
    return [...fields.slice(0, 5), String(shares), String(trades), date].join('|');
  });
  if (!found) throw new Error(`${SOURCE} has no (${symbol}, ${mpid}) row in its first ${REVISION.rows} rows`);
  return out;
}

/** Writes the original, its revision and a second revision into `dir`. */
export function writeRevisionFiles(dir: string): RevisionFiles {
  const path = sampleFiles().find((p) => p.endsWith(SOURCE));
  if (path === undefined) throw new Error(`bundled sample ${SOURCE} not found`);
  const [header = '', ...data] = readFileSync(path, 'utf8').split('\n');
  const original = data.slice(0, REVISION.rows);
  let revised = original;
  for (const c of REVISION.changed) revised = revise(revised, c.symbol, c.mpid, c.totalVolume.new, c.tradeCount.new, REVISION.revisedOn);
  for (const r of REVISION.removed) revised = revised.filter((line) => !line.startsWith(`OTC|${r.symbol}|`) || line.split('|')[4] !== r.mpid);
  for (const a of REVISION.added) {
    const issue = revised.find((line) => line.startsWith(`OTC|${a.symbol}|`))?.split('|')[2] ?? '';
    revised = [...revised, `OTC|${a.symbol}|${issue}|ARCA GLOBAL OTC|${a.mpid}|${a.totalVolume}|${a.tradeCount}|${REVISION.revisedOn}`];
  }
  const second = revise(revised, 'AABB', 'OTCN', 6900000, 180, '2025-12-29');
  const write = (name: string, lines: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
    return file;
  };
  return {
    original: write('finra_otc_weekly_otc_20251215_first40.csv', original),
    revision: write('finra_otc_weekly_otc_20251215_first40_revised.csv', revised),
    secondRevision: write('finra_otc_weekly_otc_20251215_first40_revised2.csv', second),
  };
}
