import { defaultSplitterOptions, splitQuery } from 'dbgate-query-splitter';
import type { SplitterOptions } from 'dbgate-query-splitter';
import { scanToken } from 'dbgate-query-splitter/lib/splitQuery.js';
import type { SplitResultItemRich } from 'dbgate-query-splitter/lib/splitQuery.js';
import { ErrorCode, SpineError } from '../../errors.js';
import { lineAt, lineStartOffsets } from '../script-lines.js';

/**
 * The comment that marks the statement right below it as DB2-only:
 * `-- spine:db2-only <reason>`, on a line of its own, followed by the
 * statement (only comment lines may stand between them, no blank line).
 *
 * DB2 is DDL output only (DESIGN.md "Connection and dialects"): the DB2
 * scripts are executed in Apache Derby, which speaks the same IBM SQL family
 * but lacks some DB2 statements (`COMMENT ON`, `CALL SYSPROC.ADMIN_CMD(…)`,
 * tablespace clauses). A marked statement belongs to the DB2 script and is
 * skipped by the Derby run; the reason says why.
 *
 * In a migration file the marker must not stand in the opening comment block
 * (before the first statement): `parseDirectives` reads `-- spine:` lines
 * there as header directives and refuses unknown ones.
 */
export const DB2_ONLY_MARKER = 'spine:db2-only';

/** One statement of a DB2 script, as split by {@link splitDb2Statements}. */
export interface Db2Statement {
  /** The statement's source text, without the comments before it and without the terminating `;`. */
  readonly text: string;
  /** 1-based line of the script on which the statement starts. */
  readonly line: number;
  /** The reason of the `-- spine:db2-only <reason>` marker before the statement, or null when it runs everywhere. */
  readonly db2Only: string | null;
}

/**
 * dbgate-query-splitter options for DB2 (IBM SQL): `'…'` strings and `"…"`
 * delimited identifiers, each escaping its quote by doubling it; `--` and
 * `/* … *\/` comments; `;` ends a statement. No `$$` strings, no MySQL
 * `DELIMITER`, no `GO`, no `BEGIN … END` skipping (dbgate's BEGIN/END
 * detection also fires inside identifiers such as `WEEK_ENDING`; compound
 * SQL is refused instead, see {@link splitDb2Statements}). `ignoreComments`
 * makes each statement's text start at its first token, after the comments
 * that precede it, and end at its last token.
 */
const DB2_SPLITTER_OPTIONS: SplitterOptions = {
  ...defaultSplitterOptions,
  stringsBegins: ["'", '"'],
  stringsEnds: { "'": "'", '"': '"' },
  stringEscapes: { "'": "'", '"': '"' },
  allowSemicolon: true,
  allowDollarDollarString: false,
  skipSeparatorBeginEnd: false,
  doubleDashComments: true,
  multilineComments: true,
  ignoreComments: true,
  returnRichInfo: true,
  queryParameterStyle: null,
};

const MARKER_LINE = /^--\s*spine:db2-only(?:\s+(.*?))?\s*$/;
const WORD_START = /[A-Za-z_]/;
const WORD = /^[A-Za-z0-9_#@$]+/;

/** A `--` comment seen by the tokenizer. */
interface LineComment {
  readonly offset: number;
  readonly line: number;
  readonly text: string;
}


function parseError(source: string, line: number, message: string, hint: string): SpineError {
  return new SpineError(ErrorCode.MIGRATION_PARSE_FAILED, `Cannot split ${source} into DB2 statements: ${message} (line ${line}).`, {
    hint,
    details: { source, line },
  });
}

/**
 * Walks the script with dbgate-query-splitter's own tokenizer (`scanToken`,
 * the one `splitQuery` uses) to find what the splitter passes over silently:
 * an unterminated string, delimited identifier or block comment, and compound
 * SQL (`BEGIN`), whose inner `;` the splitter would cut. Returns the `--`
 * comments, where the markers are looked for.
 */
function scan(script: string, source: string, lineStarts: readonly number[]): LineComment[] {
  const comments: LineComment[] = [];
  const context = {
    options: DB2_SPLITTER_OPTIONS,
    source: script,
    position: 0,
    currentDelimiter: ';',
    end: script.length,
    wasDataOnLine: false,
    isCopyFromStdin: false,
    isCopyFromStdinCandidate: false,
    beginEndIdentLevel: 0,
  };
  let position = 0;
  while (position < script.length) {
    const token = scanToken({ ...context, position });
    const ch = script[position] as string;
    if (token.type === 'string') {
      const closing = position + token.length - 1;
      if (closing >= script.length || script[closing] !== ch) {
        const what = ch === '"' ? 'delimited identifier' : 'string literal';
        throw parseError(source, lineAt(lineStarts, position), `unterminated ${what} starting with ${JSON.stringify(script.slice(position, position + 20))}`, `Close the ${what} with ${ch}; a ${ch} inside it is written twice (${ch}${ch}).`);
      }
    } else if (token.type === 'comment') {
      if (script.startsWith('/*', position)) {
        if (position + token.length > script.length || !script.startsWith('*/', position + token.length - 2) || token.length < 4) {
          throw parseError(source, lineAt(lineStarts, position), 'unterminated /* comment', 'Close the comment with */.');
        }
      } else {
        comments.push({ offset: position, line: lineAt(lineStarts, position), text: script.slice(position, position + token.length).trim() });
      }
    } else if (token.type === 'data' && WORD_START.test(ch) && (position === 0 || !/[A-Za-z0-9_#@$]/.test(script[position - 1] as string))) {
      const word = (WORD.exec(script.slice(position, position + 64)) as RegExpExecArray)[0];
      if (word.toUpperCase() === 'BEGIN') {
        throw parseError(
          source,
          lineAt(lineStarts, position),
          'compound SQL (BEGIN … END) is not supported',
          'Migration scripts for DB2 hold plain DDL statements ended by ";"; a trigger or routine body with inner ";" cannot be split reliably.',
        );
      }
      position += word.length;
      continue;
    }
    position += Math.max(1, token.length);
  }
  return comments;
}

/**
 * Splits a DB2 script into statements with dbgate-query-splitter (strings,
 * delimited identifiers and comments are tokens, so a `;` inside them does
 * not end a statement; DESIGN.md: scripts are split by a real tokenizer,
 * never `split(';')`) and reads the `-- spine:db2-only <reason>` marker of
 * each statement ({@link DB2_ONLY_MARKER}).
 *
 * @param script DB2 SQL text (one migration file or a whole generated script)
 * @param source file name for error messages
 * @returns the statements in script order, each without its `;` and without the comments before it; empty statements (`;;`) are dropped
 * @throws SpineError `MIGRATION_PARSE_FAILED` naming the file and line, for an unterminated string, delimited
 *   identifier or block comment, compound SQL (`BEGIN`), a marker without a reason, a marker that is not
 *   directly before a statement (blank line or code between, inside a statement, after the last one), or two
 *   markers on one statement
 */
export function splitDb2Statements(script: string, source: string): Db2Statement[] {
  // A byte-order mark becomes a blank of the same length, so offsets and lines stay those of the file.
  const text = script.replace(/^\uFEFF/, ' ');
  const lineStarts = lineStartOffsets(text);
  const comments = scan(text, source, lineStarts);
  const pieces = (splitQuery(text, DB2_SPLITTER_OPTIONS) as SplitResultItemRich[]).flatMap((piece) => {
    const start = (piece.trimStart ?? piece.start).position;
    const end = (piece.trimEnd ?? piece.end).position;
    // A piece of comments only (e.g. after the last statement) ends before it starts: dbgate returns its text anyway.
    if (end <= start) return [];
    return [{ text: text.slice(start, end), start, end, line: lineAt(lineStarts, start) }];
  });

  const markers = new Map<number, string>();
  for (const comment of comments) {
    const match = MARKER_LINE.exec(comment.text);
    if (!match) {
      if (/^--\s*spine:db2/i.test(comment.text)) {
        throw parseError(source, comment.line, `unknown marker ${JSON.stringify(comment.text)}`, `The marker is written "-- ${DB2_ONLY_MARKER} <reason>".`);
      }
      continue;
    }
    const reason = match[1] ?? '';
    const where = `marker "-- ${DB2_ONLY_MARKER}"`;
    if (reason === '') throw parseError(source, comment.line, `${where} gives no reason`, `Write "-- ${DB2_ONLY_MARKER} <why the statement is for DB2 only>".`);
    const lineStart = lineStarts[comment.line - 1] ?? 0;
    if (text.slice(lineStart, comment.offset).trim() !== '') {
      throw parseError(source, comment.line, `${where} shares its line with SQL`, 'Put the marker on a line of its own, directly above the statement.');
    }
    const index = pieces.findIndex((piece) => piece.end > comment.offset);
    const next = pieces[index];
    if (next === undefined) throw parseError(source, comment.line, `${where} is not followed by a statement`, 'Put the marker directly above the statement it marks, or remove it.');
    if (next.start < comment.offset) throw parseError(source, comment.line, `${where} stands inside a statement`, 'Put the marker directly above the statement it marks.');
    for (let line = comment.line + 1; line < next.line; line += 1) {
      const content = text.slice(lineStarts[line - 1] ?? 0, lineStarts[line] ?? text.length).trim();
      if (!content.startsWith('--')) {
        throw parseError(source, comment.line, `${where} is not directly above its statement (line ${line} is ${content === '' ? 'blank' : 'not a comment'})`, 'Only comment lines may stand between the marker and the statement it marks.');
      }
    }
    if (markers.has(index)) throw parseError(source, comment.line, `two ${where} lines for the statement at line ${next.line}`, 'Give a statement one marker with one reason.');
    markers.set(index, reason);
  }

  return pieces.map((piece, index) => ({ text: piece.text, line: piece.line, db2Only: markers.get(index) ?? null }));
}
