import { describe, expect, it } from 'vitest';
import { backupFileName, compactUtcTimestamp, databaseName, parseBackupFileName, parseCompactUtcTimestamp, sanitizeLabel } from './backup-name.js';

const AT = new Date('2025-01-02T03:04:05.678Z');

describe('backup names', () => {
  it('writes UTC instants as YYYYMMDDTHHMMSSmmmZ and reads them back', () => {
    expect(compactUtcTimestamp(AT)).toBe('20250102T030405678Z');
    expect(parseCompactUtcTimestamp('20250102T030405678Z')?.toISOString()).toBe(AT.toISOString());
    expect(compactUtcTimestamp(new Date('0099-12-31T23:59:59.999Z'))).toBe('00991231T235959999Z');
    expect(parseCompactUtcTimestamp('00991231T235959999Z')?.toISOString()).toBe('0099-12-31T23:59:59.999Z');
    expect(parseCompactUtcTimestamp('20250230T000000000Z')).toBeNull();
    expect(parseCompactUtcTimestamp('20250102T030405Z')).toBeNull();
    expect(() => compactUtcTimestamp(new Date('nonsense'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('sanitises labels to [a-z0-9-] and refuses one with nothing left', () => {
    expect(sanitizeLabel('Pre V2!')).toBe('pre-v2');
    expect(sanitizeLabel('__nightly__run__')).toBe('nightly-run');
    expect(sanitizeLabel('v2.1')).toBe('v2-1');
    expect(() => sanitizeLabel(' _!_ ')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('names a backup <database>_<label>_<timestamp>.db and splits such names back', () => {
    expect(databaseName('/data/state.db')).toBe('state');
    expect(databaseName('/data/state')).toBe('state');
    expect(backupFileName('/data/my_state.sqlite', 'Pre V2', AT)).toBe('my_state_pre-v2_20250102T030405678Z.db');
    expect(parseBackupFileName('my_state_pre-v2_20250102T030405678Z.db')).toEqual({ databaseName: 'my_state', label: 'pre-v2', createdAt: AT });
  });

  it('does not take other files for backups', () => {
    for (const name of [
      'state.db',
      'state_pre-v2_20250102T030405678Z.db.partial',
      'state_pre-v2_20250102T030405678Z.db-wal',
      'state_pre_v2_20250102_030405.db',
      'state_Pre_20250102T030405678Z.db',
      'state_-pre_20250102T030405678Z.db',
      'state_pre-v2_20251302T030405678Z.db',
      '_pre_20250102T030405678Z.db',
    ]) {
      expect(parseBackupFileName(name), name).toBeNull();
    }
  });
});
