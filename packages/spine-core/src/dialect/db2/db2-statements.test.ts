import { describe, expect, it } from 'vitest';
import { ErrorCode, SpineError } from '../../errors.js';
import { splitDb2Statements } from './db2-statements.js';

const split = (script: string) => splitDb2Statements(script, 'test.db2.sql');

/** The SpineError `splitDb2Statements` throws for `script`. */
function parseError(script: string): SpineError {
  try {
    split(script);
  } catch (error) {
    expect(error).toBeInstanceOf(SpineError);
    expect((error as SpineError).code).toBe(ErrorCode.MIGRATION_PARSE_FAILED);
    return error as SpineError;
  }
  throw new Error(`no error for ${JSON.stringify(script)}`);
}

describe('splitDb2Statements', () => {
  it('does not end a statement at a ; inside a string, a delimited identifier or a comment', () => {
    const script = [
      "CREATE TABLE A (X VARCHAR(3) DEFAULT ';', \"Y;Z\" INTEGER, -- a; comment",
      "  W VARCHAR(9) DEFAULT 'it''s;' /* b; */);",
      "INSERT INTO A (X) VALUES ('a'';b');",
    ].join('\n');
    expect(split(script)).toEqual([
      {
        text: "CREATE TABLE A (X VARCHAR(3) DEFAULT ';', \"Y;Z\" INTEGER, -- a; comment\n  W VARCHAR(9) DEFAULT 'it''s;' /* b; */)",
        line: 1,
        db2Only: null,
      },
      { text: "INSERT INTO A (X) VALUES ('a'';b')", line: 3, db2Only: null },
    ]);
  });

  it('gives each statement the line of its first token, after the comments and blank lines before it', () => {
    const script = ['-- spine:description demo', '-- header', '', 'CREATE TABLE A (X INTEGER);', '', '/* block', '   comment */', '  CREATE INDEX I ON A (X)', ';', '-- trailing comment', ''].join('\n');
    expect(split(script).map(({ text, line }) => ({ text, line }))).toEqual([
      { text: 'CREATE TABLE A (X INTEGER)', line: 4 },
      { text: 'CREATE INDEX I ON A (X)', line: 8 },
    ]);
  });

  it('keeps a last statement without ; and drops empty statements', () => {
    expect(split('DROP TABLE A;;\n;\nDROP TABLE B').map((s) => s.text)).toEqual(['DROP TABLE A', 'DROP TABLE B']);
    expect(split('-- only comments\n/* here */\n')).toEqual([]);
    expect(split('')).toEqual([]);
  });

  it('counts lines of CRLF files and ignores a byte-order mark', () => {
    expect(split('\uFEFF-- x\r\nCREATE TABLE A (X INTEGER);\r\n\r\nDROP TABLE A;\r\n')).toEqual([
      { text: 'CREATE TABLE A (X INTEGER)', line: 2, db2Only: null },
      { text: 'DROP TABLE A', line: 4, db2Only: null },
    ]);
  });

  it('does not take identifiers such as WEEK_ENDING, TREND or BEGIN_DATE for BEGIN … END', () => {
    const script = 'CREATE TABLE A (WEEK_ENDING DATE, TREND VARCHAR(4), BEGIN_DATE DATE, "BEGIN" INTEGER);\nDROP TABLE A;';
    expect(split(script).map((s) => s.line)).toEqual([1, 2]);
  });

  it('reads the -- spine:db2-only marker directly above a statement, other comment lines between allowed', () => {
    const script = [
      '-- spine:description demo',
      'CREATE TABLE A (X INTEGER);',
      '',
      '-- spine:db2-only COMMENT ON: Derby has no COMMENT statement',
      "COMMENT ON TABLE A IS 'a; b';",
      '',
      '--spine:db2-only   REORG after ALTER (DB2 reorg-pending state)  ',
      '-- the table is usable again after the REORG',
      "CALL SYSPROC.ADMIN_CMD('REORG TABLE A');",
      '-- an ordinary comment',
      'DROP TABLE A;',
    ].join('\n');
    expect(split(script)).toEqual([
      { text: 'CREATE TABLE A (X INTEGER)', line: 2, db2Only: null },
      { text: "COMMENT ON TABLE A IS 'a; b'", line: 5, db2Only: 'COMMENT ON: Derby has no COMMENT statement' },
      { text: "CALL SYSPROC.ADMIN_CMD('REORG TABLE A')", line: 9, db2Only: 'REORG after ALTER (DB2 reorg-pending state)' },
      { text: 'DROP TABLE A', line: 11, db2Only: null },
    ]);
  });

  it('refuses a marker without a reason, away from its statement, inside or after the statements, or doubled', () => {
    expect(parseError('CREATE TABLE A (X INTEGER);\n-- spine:db2-only\nDROP TABLE A;').message).toMatch(/gives no reason \(line 2\)/);
    expect(parseError('CREATE TABLE A (X INTEGER);\n-- spine:db2-only why\n\nDROP TABLE A;').message).toMatch(/not directly above its statement \(line 3 is blank\)/);
    expect(parseError('CREATE TABLE A (X INTEGER);\n-- spine:db2-only why\n').message).toMatch(/not followed by a statement/);
    expect(parseError('CREATE TABLE A (\n-- spine:db2-only why\nX INTEGER);').message).toMatch(/inside a statement \(line 2\)/);
    expect(parseError('CREATE TABLE A (X INTEGER); -- spine:db2-only why\nDROP TABLE A;').message).toMatch(/shares its line with SQL/);
    expect(parseError('CREATE TABLE A (X INTEGER);\n-- spine:db2-only one\n-- spine:db2-only two\nDROP TABLE A;').message).toMatch(/two marker/);
    expect(parseError('CREATE TABLE A (X INTEGER);\n-- spine:db2only why\nDROP TABLE A;').message).toMatch(/unknown marker/);
  });

  it('does not read a marker inside a string or a block comment', () => {
    const script = "CREATE TABLE A (X VARCHAR(40) DEFAULT '\n-- spine:db2-only not a marker');\n/*\n-- spine:db2-only nor this\n*/\nDROP TABLE A;";
    expect(split(script).map((s) => s.db2Only)).toEqual([null, null]);
  });

  it('refuses an unterminated string, delimited identifier or block comment, naming file and line', () => {
    const string = parseError("CREATE TABLE A (X INTEGER);\nINSERT INTO A VALUES ('abc);\nDROP TABLE A;");
    expect(string.message).toMatch(/test\.db2\.sql.*unterminated string literal.*\(line 2\)/);
    expect(string.details).toEqual({ source: 'test.db2.sql', line: 2 });
    expect(parseError("INSERT INTO A VALUES ('it''s);").message).toMatch(/unterminated string literal/);
    expect(parseError('CREATE TABLE "A (X INTEGER);').message).toMatch(/unterminated delimited identifier starting with .*\(line 1\)/);
    expect(parseError('CREATE TABLE A (X INTEGER);\n/* not closed\nDROP TABLE A;').message).toMatch(/unterminated \/\* comment \(line 2\)/);
  });

  it('refuses compound SQL, whose inner ; cannot be split on', () => {
    const trigger = 'CREATE TRIGGER T AFTER INSERT ON A FOR EACH ROW\nBEGIN ATOMIC\n  INSERT INTO B VALUES (1);\nEND;';
    expect(parseError(trigger).message).toMatch(/compound SQL \(BEGIN … END\) is not supported \(line 2\)/);
  });
});
