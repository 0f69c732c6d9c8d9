/**
 * Stable error codes. A code never changes meaning once released: scripts and
 * the CLI's exit-code mapping depend on them.
 */
export const ErrorCode = {
  /** A configuration file or option is invalid (names the key). */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A database could not be opened (bad path, not a database, permissions). */
  DB_OPEN_FAILED: 'DB_OPEN_FAILED',
  /** A table, column, calc or tier name failed validation before reaching SQL. */
  INVALID_IDENTIFIER: 'INVALID_IDENTIFIER',
  /** A migration file's name or location does not follow `<tier>/<NNNN>_<slug>.sql`. */
  MIGRATION_BAD_FILE: 'MIGRATION_BAD_FILE',
  /** A migration script could not be split into statements (syntax the tokenizer rejects). */
  MIGRATION_PARSE_FAILED: 'MIGRATION_PARSE_FAILED',
  /** A statement of a migration failed; the migration was rolled back. */
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  /** An applied migration's script changed since it was applied. */
  MIGRATION_CHECKSUM_MISMATCH: 'MIGRATION_CHECKSUM_MISMATCH',
  /** A pending migration is numbered below an applied one of the same package and tier. */
  MIGRATION_OUT_OF_ORDER: 'MIGRATION_OUT_OF_ORDER',
  /** The database holds migrations this build does not know: it is newer than the code. */
  MIGRATION_FUTURE: 'MIGRATION_FUTURE',
  /** A `-- spine:requires` header names a migration that is neither applied nor planned first. */
  MIGRATION_REQUIRES_UNMET: 'MIGRATION_REQUIRES_UNMET',
  /** `ALTER TABLE … ADD COLUMN` of an existing column with a different definition. */
  MIGRATION_COLUMN_CONFLICT: 'MIGRATION_COLUMN_CONFLICT',
  /** The schema the caller needs is not migrated yet. */
  SCHEMA_NOT_MIGRATED: 'SCHEMA_NOT_MIGRATED',
  /** Unknown tier name. */
  INVALID_TIER: 'INVALID_TIER',
  /** A value given by the user (date, symbol, option) is invalid. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** An input file is missing or unreadable. */
  INPUT_NOT_FOUND: 'INPUT_NOT_FOUND',
  /** An input file's format is not one the parser knows. */
  INPUT_UNKNOWN_FORMAT: 'INPUT_UNKNOWN_FORMAT',
  /** A registry (CALCS, quality checks) violates its invariants. */
  REGISTRY_INVALID: 'REGISTRY_INVALID',
  /** A backup could not be written or failed its verification (integrity, size). */
  BACKUP_FAILED: 'BACKUP_FAILED',
  /** A backup file is not usable for a restore (missing, corrupt, not a SQLite database). */
  BACKUP_INVALID: 'BACKUP_INVALID',
  /** Another process holds the database (open connections, a write lock, a migration lock). */
  DB_IN_USE: 'DB_IN_USE',
  /** Another process is migrating this database and did not finish within the lock timeout. */
  MIGRATION_LOCKED: 'MIGRATION_LOCKED',
  /** A table rebuild would leave rows that violate foreign keys; nothing was changed. */
  REBUILD_FOREIGN_KEY_VIOLATION: 'REBUILD_FOREIGN_KEY_VIOLATION',
  /** A table rebuild cannot map the old rows onto the new definition (e.g. a new NOT NULL column without default). */
  REBUILD_INVALID: 'REBUILD_INVALID',
  /** A rollback range holds a migration without a down script, or a down script changed. */
  ROLLBACK_REFUSED: 'ROLLBACK_REFUSED',
  /** The live schema differs from what the applied migrations create (drift), or integrity checks failed. */
  VERIFY_FAILED: 'VERIFY_FAILED',
  /** An operation needs confirmation (`--yes`) and none was given. */
  CONFIRMATION_REQUIRED: 'CONFIRMATION_REQUIRED',
  /** The dialect cannot do what was asked (e.g. a file backup of a server database). */
  UNSUPPORTED: 'UNSUPPORTED',
  /** A record (order, trade, quote, position, enforcement log) failed its model's validation; names the field. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** A calculation wrote a row its table refuses (CHECK, NOT NULL, UNIQUE); names the calc and the row's business key; the write was rolled back. */
  CALC_CONSTRAINT_VIOLATION: 'CALC_CONSTRAINT_VIOLATION',
  /** A quarterly bundle's migrations are already in the database's ledger; nothing was applied. */
  BUNDLE_ALREADY_APPLIED: 'BUNDLE_ALREADY_APPLIED',
  /** A quarterly bundle needs the previous bundle's migrations, which the database lacks; nothing was applied. */
  BUNDLE_PREVIOUS_MISSING: 'BUNDLE_PREVIOUS_MISSING',
  /** A quarterly bundle's manifest, files or checksums do not agree with each other or with the packages' migrations. */
  BUNDLE_INVALID: 'BUNDLE_INVALID',
  /** A bundle cannot be built as asked: its folder exists, a newer bundle exists, or no migration is new since the previous one. */
  BUNDLE_BUILD_REFUSED: 'BUNDLE_BUILD_REFUSED',
  /** An archive file is unreadable, of an unknown format, or its rows do not match its header's counts and checksums; nothing was restored. */
  ARCHIVE_INVALID: 'ARCHIVE_INVALID',
  /** Archiving stopped before its deletions committed (export, verification or a delete failed); the database is unchanged and no archive file is left. */
  ARCHIVE_FAILED: 'ARCHIVE_FAILED',
} as const;

/** One of {@link ErrorCode}'s values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An error a user can hit: says what happened (`message`), what to do (`hint`)
 * and carries a stable {@link ErrorCode} for scripts.
 */
export class SpineError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  /**
   * @param code stable machine-readable code
   * @param message what happened, in one sentence
   * @param options `hint`: what to do about it; `details`: structured context; `cause`: the underlying error
   */
  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SpineError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** True when `error` is a {@link SpineError}, optionally with the given code. */
export function isSpineError(error: unknown, code?: ErrorCode): error is SpineError {
  return error instanceof SpineError && (code === undefined || error.code === code);
}

/** The message of any thrown value, for reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
