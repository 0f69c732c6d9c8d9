import { createHash } from 'node:crypto';

/**
 * Normalises a script for checksumming: CRLF and lone CR become LF, trailing
 * spaces and tabs are removed from every line, a leading UTF-8 BOM and
 * trailing blank lines are dropped. Edits that change nothing but these
 * keep the checksum; any other edit changes it.
 */
export function normalizeScript(script: string): string {
  return script
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n+$/, '');
}

/** sha256 (lower-case hex) of the normalised script, as stored in `_migrations.checksum`. */
export function scriptChecksum(script: string): string {
  return createHash('sha256').update(normalizeScript(script), 'utf8').digest('hex');
}
