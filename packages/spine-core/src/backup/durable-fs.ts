import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Flushes a file's data to the disk, so that a rename published afterwards can
 * never point at a file whose bytes were lost in a crash.
 *
 * @throws the file system's error when `path` cannot be opened or flushed
 */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flushes a directory's entries (renames, new and removed files) to the disk.
 *
 * @throws the file system's error when the directory cannot be opened or flushed
 */
export function syncDirectory(directory: string): void {
  // Windows cannot open a directory as a file; NTFS journals renames itself.
  if (process.platform === 'win32') return;
  syncFile(directory);
}

/**
 * Renames `from` to `to` (replacing `to`; atomic on one file system) and
 * flushes the directory, so the new name survives a crash.
 *
 * @throws the file system's error when the rename fails
 */
export function renameDurably(from: string, to: string): void {
  renameSync(from, to);
  syncDirectory(dirname(to));
}
