import { execFile, spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BackupInfo } from '../../backup/backup-database.js';
import { backupFileName } from '../../backup/backup-name.js';
import { findBackupFiles } from '../../backup/list-backups.js';
import type { BackupListing } from '../../backup/list-backups.js';
import { pruneBackups } from '../../backup/prune-backups.js';
import type { RestoreResult } from '../../backup/restore-backup.js';
import type { LedgerSummary } from '../../backup/sqlite-file.js';
import { ErrorCode, SpineError, errorMessage } from '../../errors.js';
import { quoteCatalogName } from '../../identifiers.js';
import type { DatabaseBackups } from '../types.js';

const run = promisify(execFile);

type ClientTool = 'pg_dump' | 'pg_restore' | 'psql';

function toolError(name: ClientTool, error: unknown, stderr: string | undefined): SpineError {
  const missing = (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return new SpineError(ErrorCode.BACKUP_FAILED, `${name} failed: ${missing ? `${name} is not installed` : stderr?.trim() || errorMessage(error)}`, {
    hint: missing ? 'Install the PostgreSQL client tools (Debian: postgresql-client).' : 'Check the database URL and the server log.',
    cause: error,
  });
}

/** Runs a PostgreSQL client tool; its stdout, or a SpineError with its stderr. */
async function tool(name: ClientTool, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(name, [...args], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    throw toolError(name, error, (error as { stderr?: string }).stderr);
  }
}

/** `pg_restore -f - <archive> | psql --single-transaction`, after `prelude`: all of it commits or none of it. */
function restoreInOneTransaction(url: string, archive: string, prelude: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const restore = spawn('pg_restore', ['--no-owner', '--file=-', archive], { stdio: ['ignore', 'pipe', 'pipe'] });
    const psql = spawn('psql', ['--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1', `--dbname=${url}`], { stdio: ['pipe', 'ignore', 'pipe'] });
    let restoreErr = '';
    let psqlErr = '';
    restore.stderr.on('data', (chunk: Buffer) => (restoreErr += chunk.toString()));
    psql.stderr.on('data', (chunk: Buffer) => (psqlErr += chunk.toString()));
    restore.on('error', (error) => reject(toolError('pg_restore', error, restoreErr)));
    psql.on('error', (error) => reject(toolError('psql', error, psqlErr)));
    // psql stopping early (ON_ERROR_STOP) closes its stdin; the failure is reported by its exit code.
    psql.stdin.on('error', () => undefined);
    psql.stdin.write(prelude);
    restore.stdout.pipe(psql.stdin);
    let restoreCode: number | null = null;
    restore.on('close', (code) => (restoreCode = code));
    psql.on('close', (code) => {
      if (restoreCode !== null && restoreCode !== 0) reject(toolError('pg_restore', new Error(`exit code ${restoreCode}`), restoreErr));
      else if (code !== 0) reject(toolError('psql', new Error(`exit code ${code}`), psqlErr));
      else resolvePromise();
    });
  });
}


/**
 * The `_migrations` ledger inside a `pg_dump` archive: its rows are read back
 * from the archive's data (`pg_restore --data-only --table=_migrations`),
 * which also proves the archive's data section is readable.
 */
async function archiveLedger(archive: string, schema: string): Promise<LedgerSummary> {
  const script = await tool('pg_restore', ['--data-only', `--schema=${schema}`, '--table=_migrations', '--file=-', archive]);
  const copy = /^COPY \S+ \(([^)]*)\) FROM stdin;\n([\s\S]*?)^\\\.$/m.exec(script);
  if (!copy) return { migrations: 0, head: null };
  const columns = (copy[1] ?? '').split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const at = (name: string) => columns.indexOf(name);
  let migrations = 0;
  let head: { id: string; rank: number } | null = null;
  for (const line of (copy[2] ?? '').split('\n')) {
    if (line === '') continue;
    const fields = line.split('\t');
    if (fields[at('success')] !== 't') continue;
    migrations += 1;
    const rank = Number(fields[at('installed_rank')]);
    const id = fields[at('migration_id')] ?? '';
    if (head === null || rank > head.rank) head = { id, rank };
  }
  return { migrations, head: head?.id ?? null };
}

/**
 * Backups of one schema of a PostgreSQL database: `pg_dump -Fc` archives,
 * verified by reading their table of contents and their ledger back with
 * `pg_restore`. A restore dumps the current state aside first (label `pre-restore`), then drops the
 * schema and replays the archive in one transaction (`psql
 * --single-transaction`), so a failed restore leaves the database as it was.
 *
 * @param url connection string (without Market Spine's `schema` parameter)
 * @param database database name, for file names
 * @param schema the schema backed up and restored
 */
export function postgresBackups(url: string, database: string, schema: string): DatabaseBackups {
  const base = `${database}-${schema}.dump`;
  const dump = async (path: string): Promise<LedgerSummary> => {
    await tool('pg_dump', ['--format=custom', '--no-owner', `--schema=${schema}`, `--file=${path}`, `--dbname=${url}`]);
    const toc = await tool('pg_restore', ['--list', path]);
    if (!/^;\s*Archive created at/m.test(toc)) throw new SpineError(ErrorCode.BACKUP_FAILED, `pg_restore cannot read back ${path}.`);
    return archiveLedger(path, schema);
  };
  const display = url.replace(/:[^:@/]*@/, ':***@');
  return {
    async create(options): Promise<BackupInfo> {
      const now = new Date();
      mkdirSync(options.directory, { recursive: true });
      const path = resolve(options.directory, backupFileName(base, options.label, now, '.dump'));
      const temporary = `${path}.partial`;
      let ledger: LedgerSummary;
      try {
        ledger = await dump(temporary);
        renameSync(temporary, path);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
      const bytes = statSync(path).size;
      // A pg_dump archive has no pages; pageCount 0 says so.
      return { path, database: `${display} schema ${schema}`, label: options.label, createdAt: now.toISOString(), bytes, pageCount: 0, integrity: 'ok', ledger };
    },
    async list(directory): Promise<BackupListing[]> {
      const files = findBackupFiles(directory, base).filter((f) => f.path.endsWith('.dump'));
      return Promise.all(
        files.map(async (f) => {
          const listing = { path: f.path, databaseName: f.databaseName, label: f.label, createdAt: f.createdAt.toISOString(), bytes: statSync(f.path).size, pageCount: null };
          try {
            return { ...listing, ledger: await archiveLedger(f.path, schema) };
          } catch (error) {
            return { ...listing, ledger: null, error: errorMessage(error) };
          }
        }),
      );
    },
    prune: (directory, policy) => pruneBackups(directory, base, policy),
    async restore(backupPath): Promise<RestoreResult> {
      const source = resolve(backupPath);
      try {
        await tool('pg_restore', ['--list', source]);
      } catch (error) {
        throw new SpineError(ErrorCode.BACKUP_INVALID, `Backup ${source} cannot be restored: it is not a readable pg_dump archive (${errorMessage(error)}).`, {
          hint: 'Pick another backup; `spine db backups` lists them with their ledger heads.',
          cause: error,
        });
      }
      const aside = resolve(source, '..', backupFileName(base, 'pre-restore', new Date(), '.dump'));
      await dump(aside);
      // Sessions still using the schema would make DROP SCHEMA wait for ever: give up after 30 s instead, nothing changed.
      await restoreInOneTransaction(url, source, `SET lock_timeout = '30s';\nDROP SCHEMA IF EXISTS ${quoteCatalogName(schema)} CASCADE;\n`);
      return { restoredFrom: source, movedAside: aside, movedFiles: [aside], ledger: await archiveLedger(source, schema) };
    },
  };
}
