import { ErrorCode, SpineError } from '../errors.js';
import type { LockHolder } from './types.js';

/** "pid 123 on host since 2026-…Z (migrate)", or "another process" when the holder is unknown. */
export function describeLockHolder(holder: LockHolder | null): string {
  return holder === null ? 'another process' : `pid ${holder.pid} on ${holder.host} since ${holder.since} (${holder.purpose})`;
}

/**
 * The error of a migrator that waited `timeoutMs` for the migration lock of
 * `target` in vain; the same words on every dialect.
 */
export function migrationLockedError(target: string, holder: LockHolder | null, timeoutMs: number): SpineError {
  return new SpineError(ErrorCode.MIGRATION_LOCKED, `${target} is locked by ${describeLockHolder(holder)}; gave up after ${Math.round(timeoutMs / 1000)} s.`, {
    hint: 'Wait for that migration to finish, or raise migration.lock_timeout_seconds. A killed process releases the lock by itself.',
    details: { holder },
  });
}
