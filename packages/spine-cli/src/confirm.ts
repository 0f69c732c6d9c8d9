import { createInterface } from 'node:readline/promises';
import { ErrorCode, SpineError } from '@market-spine/core';
import type { CliIo } from './output.js';

/**
 * Asks before a schema change when the config says
 * `migration.require_confirmation: true` (seed 004): a yes/no prompt on a
 * terminal; without one, `--yes` must be given.
 *
 * @returns true to go on, false when the user answered no
 * @throws SpineError `CONFIRMATION_REQUIRED` when confirmation is required, `--yes` is absent and there is no terminal
 */
export async function confirm(io: CliIo, question: string, options: { required: boolean; yes: boolean }): Promise<boolean> {
  if (!options.required || options.yes) return true;
  if (!io.stdin?.isTTY) {
    throw new SpineError(ErrorCode.CONFIRMATION_REQUIRED, `${question} Confirmation is required (migration.require_confirmation) and there is no terminal to ask on.`, {
      hint: 'Pass --yes to confirm, or set migration.require_confirmation: false.',
    });
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
