/**
 * Escaping for the HTML report: every interpolated value is escaped unless it
 * is markup built by {@link html} itself, so data (symbols, participant
 * names, raw reject lines, quality messages) can never become markup.
 */

/** Markup that is already safe: built by {@link html} or {@link rawHtml}. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML: `& < > " '` become entities (safe in text and in quoted attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function interpolate(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template for markup: literal parts are kept, interpolated values are
 * escaped (arrays are joined, `null`/`undefined`/`false` render nothing,
 * {@link SafeHtml} is inserted as is).
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += interpolate(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Trusted markup written by this module's own code (never data). */
export function rawHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
