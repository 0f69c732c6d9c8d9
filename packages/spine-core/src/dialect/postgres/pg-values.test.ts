import { describe, expect, it } from 'vitest';
import { PG_OID, PG_TEXT_PARSERS, csvChunks } from './pg-values.js';

const parse = (oid: number, text: string) => PG_TEXT_PARSERS[oid]?.(text);

describe('values read from PostgreSQL, as SQLite returns them', () => {
  it.each([
    ['2025-11-14 12:34:56.789+00', '2025-11-14T12:34:56.789Z'],
    ['2025-11-14 12:34:56+00', '2025-11-14T12:34:56.000Z'],
    ['2025-11-14 12:34:56.7+00', '2025-11-14T12:34:56.700Z'],
    ['2025-11-14 12:34:56.789999+00', '2025-11-14T12:34:56.789Z'],
    ['2025-11-14 14:34:56.5+02', '2025-11-14T12:34:56.500Z'],
    ['infinity', 'infinity'],
  ])('timestamptz %s reads as %s (the same as new Date().toISOString() where there is an instant)', (text, iso) => {
    expect(parse(PG_OID.timestamptz, text)).toBe(iso);
    if (iso !== 'infinity') expect(new Date(text.replace(/\+(\d\d)$/, '+$1:00')).toISOString()).toBe(iso);
  });

  it('reads flags as 1/0, BIGINT and NUMERIC as numbers, dates and JSON as text', () => {
    expect([parse(PG_OID.bool, 't'), parse(PG_OID.bool, 'f')]).toEqual([1, 0]);
    expect(parse(PG_OID.int8, '9007199254740991')).toBe(9007199254740991);
    expect(parse(PG_OID.numeric, '0.25')).toBe(0.25);
    expect(parse(PG_OID.date, '2025-11-14')).toBe('2025-11-14');
    expect(parse(PG_OID.jsonb, '{"a": 1}')).toBe('{"a": 1}');
  });
});

describe('csvChunks', () => {
  it('quotes every text, keeps NULL apart from the empty string, and streams in bounded chunks', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [i, `say "hi", ${i}\nline two`, i % 3 === 0 ? null : '', i % 2 === 0]);
    const chunks = [...csvChunks(rows)];
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(300 * 1024);
    const text = chunks.join('');
    expect(text.startsWith('0,"say ""hi"", 0\nline two",,t\n1,"say ""hi"", 1\nline two","",f\n')).toBe(true);
    expect(text.split('\n').length - 1).toBe(40_000);
    expect([...csvChunks([])]).toEqual([]);
  });
});
