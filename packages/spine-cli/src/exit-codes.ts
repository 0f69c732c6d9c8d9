import { ErrorCode } from '@market-spine/core';

/**
 * Stable exit codes of `spine` (documented in the README):
 * 0 success; 1 the operation ran and failed (migration failed or refused,
 * a pipeline partition stopped, a quality FAIL); 2 bad usage or input
 * (options, arguments, config, input files); 3 the database cannot be used
 * as asked (cannot open, not migrated, newer than this build); 70 an
 * unexpected internal error (sysexits EX_SOFTWARE).
 */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  DATABASE: 3,
  INTERNAL: 70,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const DATABASE_CODES: ReadonlySet<string> = new Set([ErrorCode.DB_OPEN_FAILED, ErrorCode.SCHEMA_NOT_MIGRATED, ErrorCode.MIGRATION_FUTURE, ErrorCode.DB_IN_USE]);
const FAILED_CODES: ReadonlySet<string> = new Set([
  ErrorCode.MIGRATION_FAILED,
  ErrorCode.MIGRATION_CHECKSUM_MISMATCH,
  ErrorCode.MIGRATION_OUT_OF_ORDER,
  ErrorCode.MIGRATION_REQUIRES_UNMET,
  ErrorCode.MIGRATION_COLUMN_CONFLICT,
  ErrorCode.MIGRATION_PARSE_FAILED,
  ErrorCode.MIGRATION_BAD_FILE,
  ErrorCode.REGISTRY_INVALID,
  ErrorCode.ARCHIVE_FAILED,
  ErrorCode.BUNDLE_ALREADY_APPLIED,
  ErrorCode.BUNDLE_PREVIOUS_MISSING,
  ErrorCode.BUNDLE_INVALID,
  ErrorCode.BUNDLE_BUILD_REFUSED,
]);

/** The exit code for an error code. */
export function exitCodeFor(code: string): ExitCode {
  if (DATABASE_CODES.has(code)) return ExitCode.DATABASE;
  if (FAILED_CODES.has(code)) return ExitCode.FAILED;
  return ExitCode.USAGE;
}
