import { barChart } from './bar-chart.js';
import { html, rawHtml } from './html.js';
import type { SafeHtml } from './html.js';
import type { ConcentratedSymbol, WeekReport } from './week-report.js';

/**
 * The week report as one self-contained HTML page: inline CSS, charts as
 * inline SVG drawn here, no script, and a Content-Security-Policy that lets
 * the page load nothing (so viewing it needs no network). Every value from the
 * data is escaped (see `html`). Pure: same report, same string.
 */

/** A fraction 0–1 as a percentage: "82.19 %"; "< 0.01 %" below that, "0 %" for zero. */
export function formatShare(fraction: number): string {
  if (fraction === 0) return '0 %';
  const pct = fraction * 100;
  return pct < 0.01 ? '< 0.01 %' : `${pct.toFixed(2)} %`;
}

/** A whole number with thousands separators: 1,335,995,901. */
function formatCount(n: number | null): string {
  return n === null ? '' : n.toLocaleString('en-US');
}

/** An HHI with 4 decimals. */
function formatHhi(hhi: number): string {
  return hhi.toFixed(4);
}

const STYLE = rawHtml(`
:root { --ink: #1d2733; --muted: #5b6776; --line: #d8dee6; --bar: #2f6db5; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 18px 0 6px; }
p.note, .muted { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; padding: 12px 16px; background: var(--panel); border-radius: 6px; max-width: 900px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.raw { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 520px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px 32px; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
svg.chart .bar { fill: var(--bar); }
svg.chart .label { fill: var(--ink); }
svg.chart .value { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
.status { display: inline-block; min-width: 44px; padding: 0 6px; border-radius: 3px; font-weight: 600; font-size: 12px; text-align: center; color: #fff; }
.status-PASS { background: #2e7d32; }
.status-WARN { background: #b26a00; }
.status-FAIL { background: #c62828; }
.status-ERROR { background: #6a1b9a; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`);

function status(value: string | null): SafeHtml {
  return value === null ? html`<span class="muted">none</span>` : html`<span class="status status-${value}">${value}</span>`;
}

function summary(report: WeekReport): SafeHtml {
  const w = report.week;
  const facts: [string, unknown][] = [
    ['Week ending', w.weekEnding],
    ['Tier', w.tier],
    ['Stage reached', w.stage],
    ['Lines', html`${formatCount(w.lines)} = ${formatCount(w.accepted)} accepted + ${formatCount(w.rejected)} rejected`],
    ['Symbols', formatCount(w.symbols)],
    ['Volume', w.totalVolume === null ? '' : `${formatCount(w.totalVolume)} shares`],
    ['Quality', status(w.quality)],
    ['Capture', html`${w.captureId} (captured ${w.capturedAt}; ${formatCount(w.captures)} capture(s) of this week)`],
    ['Source', w.sourceLocator],
  ];
  return html`<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function venuesSection(report: WeekReport): SafeHtml {
  if (report.venues.length === 0) return html`<section id="venues"><h2>Venue market share</h2><p class="note">No venue rows for this week (its capture has not reached AGGREGATED).</p></section>`;
  const chart = barChart(
    report.venues.map((v) => ({ label: v.mpid, value: v.marketShare, valueText: formatShare(v.marketShare), title: `${v.mpid} ${v.participantName ?? ''}: ${formatShare(v.marketShare)} (${formatCount(v.totalVolume)} shares)` })),
    { id: 'venue-share', title: `Venue market share of the ${report.tier} volume, week ending ${report.weekEnding}` },
  );
  return html`<section id="venues">
<h2>Venue market share</h2>
<p class="note">Share of the tier's weekly volume (shares) by venue (MPID); bars are scaled to the largest share.</p>
${chart}
<table data-table="venues">
<thead><tr><th class="num">rank</th><th>MPID</th><th>participant</th><th class="num">volume (shares)</th><th class="num">trades</th><th class="num">symbols</th><th class="num">market share</th></tr></thead>
<tbody>${report.venues.map(
    (v) =>
      html`<tr><td class="num">${v.rank}</td><td>${v.mpid}</td><td>${v.participantName ?? ''}</td><td class="num">${formatCount(v.totalVolume)}</td><td class="num">${formatCount(v.totalTrades)}</td><td class="num">${formatCount(v.symbolCount)}</td><td class="num">${formatShare(v.marketShare)}</td></tr>`,
  )}</tbody>
</table>
</section>`;
}

function symbolsBlock(id: string, heading: string, symbols: readonly ConcentratedSymbol[], weekEnding: string): SafeHtml {
  const chart = barChart(
    symbols.map((s) => ({ label: s.symbol, value: s.hhi, valueText: `${formatHhi(s.hhi)} · ${s.venueCount} venue${s.venueCount === 1 ? '' : 's'}`, title: `${s.symbol}: HHI ${formatHhi(s.hhi)}, ${s.venueCount} venue(s), ${formatCount(s.totalVolume)} shares` })),
    { id, title: `${heading}, week ending ${weekEnding}`, max: 1 },
  );
  return html`<div><h3>${heading}</h3>${chart}
<table data-table="${id}"><thead><tr><th>symbol</th><th class="num">venues</th><th class="num">volume (shares)</th><th class="num">HHI</th></tr></thead>
<tbody>${symbols.map((s) => html`<tr><td>${s.symbol}</td><td class="num">${s.venueCount}</td><td class="num">${formatCount(s.totalVolume)}</td><td class="num">${formatHhi(s.hhi)}</td></tr>`)}</tbody></table></div>`;
}

function concentrationSection(report: WeekReport): SafeHtml {
  const c = report.concentration;
  if (c.symbols === 0) return html`<section id="concentration"><h2>Venue concentration (HHI)</h2><p class="note">No HHI rows for this week.</p></section>`;
  const bands = barChart(
    c.bands.map((b) => ({ label: b.label, value: b.symbols, valueText: `${formatCount(b.symbols)} symbols` })),
    { id: 'hhi-distribution', title: `Symbols by HHI band, week ending ${report.weekEnding}` },
  );
  return html`<section id="concentration">
<h2>Venue concentration (HHI)</h2>
<p class="note">HHI = Σ (venue share of the symbol's volume)², from 1/venues (volume spread evenly) to 1 (one venue). ${formatCount(c.symbols)} symbols; ties are broken by volume, larger first.</p>
<h3>Symbols by HHI band</h3>
${bands}
<div class="grid">
${symbolsBlock('hhi-most', `Most concentrated ${c.most.length}`, c.most, report.weekEnding)}
${symbolsBlock('hhi-least', `Least concentrated ${c.least.length}`, c.least, report.weekEnding)}
</div>
</section>`;
}

function rejectsSection(report: WeekReport): SafeHtml {
  const r = report.rejects;
  if (r.total === 0) return html`<section id="rejects"><h2>Rejects</h2><p class="note" data-empty="rejects">No rejects: every line of the capture was accepted.</p></section>`;
  const chart = barChart(
    r.counts.map((c) => ({ label: c.reasonCode, value: c.count, valueText: formatCount(c.count) })),
    { id: 'reject-reasons', title: `Rejects by reason, week ending ${report.weekEnding}` },
  );
  const shown = r.rows.length < r.total ? html`<p class="note">First ${formatCount(r.rows.length)} of ${formatCount(r.total)} rejects, by line number.</p>` : '';
  return html`<section id="rejects">
<h2>Rejects</h2>
<p class="note">${formatCount(r.total)} line(s) refused, by reason code:</p>
${chart}
${shown}
<table data-table="rejects">
<thead><tr><th class="num">line</th><th>stage</th><th>reason</th><th>detail</th><th>raw line</th><th>source</th></tr></thead>
<tbody>${r.rows.map(
    (row) =>
      html`<tr><td class="num">${row.line_number}</td><td>${row.stage}</td><td>${row.reason_code}</td><td>${row.reason_detail}</td><td class="raw">${row.raw_line}</td><td>${row.source_locator}</td></tr>`,
  )}</tbody>
</table>
</section>`;
}

function qualitySection(report: WeekReport): SafeHtml {
  if (report.quality.length === 0) return html`<section id="quality"><h2>Quality checks</h2><p class="note">No quality results stored for this capture.</p></section>`;
  const counts = new Map<string, number>();
  for (const q of report.quality) counts.set(q.status, (counts.get(q.status) ?? 0) + 1);
  return html`<section id="quality">
<h2>Quality checks</h2>
<p class="note">${report.quality.length} check result(s) stored for this capture (the newest of each check and stage): ${[...counts].map(([s, n], i) => html`${i > 0 ? ', ' : ''}${n} ${status(s)}`)}</p>
<table data-table="quality">
<thead><tr><th>stage</th><th>check</th><th>category</th><th>severity</th><th>status</th><th class="num">value</th><th class="num">expected</th><th>message</th></tr></thead>
<tbody>${report.quality.map(
    (q) =>
      html`<tr data-check="${q.check_name}" data-status="${q.status}"><td>${q.stage ?? ''}</td><td>${q.check_name}</td><td>${q.category}</td><td>${q.severity}</td><td>${status(q.status)}</td><td class="num">${q.check_value ?? ''}</td><td class="num">${q.expected_value ?? ''}</td><td>${q.message}</td></tr>`,
  )}</tbody>
</table>
</section>`;
}

/** The report as a complete HTML document (UTF-8). */
export function renderWeekReportHtml(report: WeekReport): string {
  const title = `FINRA OTC transparency — week ending ${report.weekEnding}, ${report.tier}`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Market Spine">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${title}</h1><p class="muted">Latest capture of the week, current calc versions.</p></header>
${summary(report)}
${venuesSection(report)}
${concentrationSection(report)}
${rejectsSection(report)}
${qualitySection(report)}
<footer>Generated by Market Spine at ${report.generatedAt} (UTC) from capture ${report.week.captureId}.</footer>
</body>
</html>
`.value;
}
