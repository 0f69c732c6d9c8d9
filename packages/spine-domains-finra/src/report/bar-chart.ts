import { html } from './html.js';
import type { SafeHtml } from './html.js';

/** One bar of a {@link barChart}. */
export interface Bar {
  /** Category, shown left of the bar (e.g. an MPID or a symbol). */
  readonly label: string;
  /** Bar length in the chart's unit; negative values are drawn as 0. */
  readonly value: number;
  /** The value as shown right of the bar (e.g. "82.19 %"). */
  readonly valueText: string;
  /** Tooltip (SVG `<title>`); defaults to label and value text. */
  readonly title?: string;
}

/** Options of a {@link barChart}. */
export interface BarChartOptions {
  /** Stable id of the chart (`data-chart`), e.g. `venue-share`. */
  readonly id: string;
  /** Accessible name of the chart. */
  readonly title: string;
  /** Value drawn as the full bar width; default the largest value. */
  readonly max?: number;
}

const WIDTH = 760;
const LABEL_WIDTH = 160;
const VALUE_WIDTH = 150;
const BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
const ROW = 24;
const BAR_HEIGHT = 16;
const PAD = 6;
/** A positive value is drawn at least this wide so that it stays visible. */
const MIN_VISIBLE = 1;

/** Width in px of a bar of `value` on a scale where `max` fills the bar area. */
function barWidth(value: number, max: number): number {
  if (!(value > 0) || !(max > 0)) return 0;
  return Math.max(MIN_VISIBLE, Math.round((Math.min(value, max) / max) * BAR_AREA * 100) / 100);
}

/**
 * A horizontal bar chart as inline SVG (rendered here, no script): one
 * `<rect class="bar">` per bar with `data-label` / `data-value`, labels left,
 * values right, a baseline. Every text goes through {@link html}'s escaping.
 */
export function barChart(bars: readonly Bar[], options: BarChartOptions): SafeHtml {
  const max = options.max ?? Math.max(0, ...bars.map((b) => b.value));
  const height = PAD * 2 + Math.max(1, bars.length) * ROW;
  const rows = bars.map((bar, i) => {
    const y = PAD + i * ROW;
    const barY = y + (ROW - BAR_HEIGHT) / 2;
    const textY = y + ROW / 2 + 4;
    const width = barWidth(bar.value, max);
    return html`<g class="row">
<text class="label" x="${LABEL_WIDTH - 8}" y="${textY}" text-anchor="end">${bar.label}</text>
<rect class="bar" x="${LABEL_WIDTH}" y="${barY}" width="${width}" height="${BAR_HEIGHT}" rx="2" data-label="${bar.label}" data-value="${bar.value}"><title>${bar.title ?? `${bar.label}: ${bar.valueText}`}</title></rect>
<text class="value" x="${LABEL_WIDTH + width + 6}" y="${textY}">${bar.valueText}</text>
</g>`;
  });
  return html`<svg class="chart" data-chart="${options.id}" data-bars="${bars.length}" role="img" aria-label="${options.title}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">
<title>${options.title}</title>
<line class="axis" x1="${LABEL_WIDTH}" y1="${PAD / 2}" x2="${LABEL_WIDTH}" y2="${height - PAD / 2}"></line>
${rows}
</svg>`;
}
