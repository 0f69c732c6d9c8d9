import { basename, extname } from 'node:path';
import { ErrorCode, SpineError } from '../errors.js';

/*
 * Backup file names (seed 004 Phase 0 step 3 names backups
 * `state_pre_v2_<date>.db`): `<database name>_<label>_<YYYYMMDDTHHMMSSmmmZ>.db`.
 * The label never holds `_`, so a name splits back unambiguously even when the
 * database name has underscores.
 */

const COMPACT_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/;
const BACKUP_FILE_NAME = /^(.+)_([a-z0-9]+(?:-[a-z0-9]+)*)_(\d{8}T\d{9}Z)\.(?:db|dump)$/;

/** The parts of a backup file name. */
export interface ParsedBackupName {
  /** The database's file name without extension (`state` for `data/state.db`). */
  readonly databaseName: string;
  /** The sanitised label (`[a-z0-9-]`). */
  readonly label: string;
  /** When the backup was taken (millisecond precision, from the name). */
  readonly createdAt: Date;
}

/**
 * A UTC instant as `YYYYMMDDTHHMMSSmmmZ` (e.g. `20250102T030405678Z`): sortable
 * as text and safe in file names on every platform (no `:`).
 *
 * @param date the instant; must be a valid date between years 0 and 9999
 * @throws SpineError `INVALID_ARGUMENT` for an invalid date or one outside years 0–9999
 */
export function compactUtcTimestamp(date: Date): string {
  const iso = Number.isNaN(date.getTime()) ? '' : date.toISOString();
  const compact = iso.replace(/[-:.]/g, '');
  if (!COMPACT_TIMESTAMP.test(compact)) {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Cannot use ${String(date)} as a backup timestamp.`, {
      hint: 'Pass a valid date between the years 0 and 9999.',
    });
  }
  return compact;
}

/**
 * Reads a {@link compactUtcTimestamp} back.
 *
 * @returns the instant, or null when `text` is not in that form or names no real date (e.g. month 13)
 */
export function parseCompactUtcTimestamp(text: string): Date | null {
  const match = COMPACT_TIMESTAMP.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second, millisecond] = match.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  // Date rolls 2025-02-30 over to March; a name that does not survive the round trip is no timestamp.
  return compactUtcTimestamp(date) === text ? date : null;
}

/**
 * A label reduced to `[a-z0-9-]`: lower-cased, every run of other characters
 * turned into one `-`, and `-` trimmed from both ends (`"Pre V2!"` → `pre-v2`).
 *
 * @throws SpineError `INVALID_ARGUMENT` when no letter or digit is left
 */
export function sanitizeLabel(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (clean === '') {
    throw new SpineError(ErrorCode.INVALID_ARGUMENT, `Backup label ${JSON.stringify(label)} has no letters or digits.`, {
      hint: 'Use a label such as pre-v2 or nightly.',
    });
  }
  return clean;
}

/** A database file's name without directory and extension (`data/state.db` → `state`). */
export function databaseName(databasePath: string): string {
  const file = basename(databasePath);
  return basename(file, extname(file));
}

/**
 * The file name of a backup of `databasePath` taken at `createdAt`.
 *
 * @param databasePath the database file (only its base name is used)
 * @param label free text; sanitised with {@link sanitizeLabel}
 * @param createdAt the backup's instant, written as {@link compactUtcTimestamp}
 * @param extension `.db` for a SQLite copy, `.dump` for a `pg_dump -Fc` archive
 * @throws SpineError `INVALID_ARGUMENT` for a label without letters or digits, or an invalid date
 */
export function backupFileName(databasePath: string, label: string, createdAt: Date, extension: '.db' | '.dump' = '.db'): string {
  return `${databaseName(databasePath)}_${sanitizeLabel(label)}_${compactUtcTimestamp(createdAt)}${extension}`;
}

/**
 * Splits a file name made by {@link backupFileName}.
 *
 * @param fileName a base name, without directory
 * @returns its parts, or null for any other file (temporary copies, companions, foreign files)
 */
export function parseBackupFileName(fileName: string): ParsedBackupName | null {
  const match = BACKUP_FILE_NAME.exec(fileName);
  if (!match) return null;
  const [, name, label, timestamp] = match as unknown as [string, string, string, string];
  const createdAt = parseCompactUtcTimestamp(timestamp);
  if (createdAt === null) return null;
  return { databaseName: name, label, createdAt };
}
