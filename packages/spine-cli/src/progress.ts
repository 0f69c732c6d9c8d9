import cliProgress from 'cli-progress';
import type { PipelineEvent } from '@market-spine/domains-finra';
import type { CliIo } from './output.js';

/** A bar on stderr, only drawn on a terminal and not with `--json`, so pipes and logs stay clean. */
function bar(io: CliIo, enabled: boolean, format: string): cliProgress.SingleBar | undefined {
  if (!enabled || !io.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar({ stream: io.stderr, format, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
}

/** A progress bar for a pipeline run: one step per file ingested and per stage of each (week, tier). */
export function pipelineProgress(io: CliIo, enabled: boolean): { onEvent: (event: PipelineEvent) => void; stop: () => void } {
  const b = bar(io, enabled, ' {bar} {value}/{total} {step}');
  if (!b) return { onEvent: () => undefined, stop: () => undefined };
  let started = false;
  return {
    onEvent(event) {
      if (event.type === 'planned') {
        b.start(event.files + event.stages, 0, { step: 'reading files' });
        started = true;
      } else if (started && event.type === 'file') {
        b.increment({ step: `${event.status}: ${event.path.split('/').pop() ?? event.path}` });
      } else if (started && event.type === 'stage') {
        b.increment({ step: `${event.partitionKey} ${event.stage}` });
      }
    },
    stop() {
      if (started) b.stop();
    },
  };
}

/** A progress bar for a backup copy, in database pages. */
export function copyProgress(io: CliIo, enabled: boolean, label: string): { onProgress: (done: number, total: number) => void; stop: () => void } {
  const b = bar(io, enabled, ` ${label} {bar} {percentage}% ({value}/{total} pages)`);
  if (!b) return { onProgress: () => undefined, stop: () => undefined };
  let started = false;
  return {
    onProgress(done, total) {
      if (!started) {
        b.start(total, 0);
        started = true;
      }
      b.setTotal(total);
      b.update(done);
    },
    stop() {
      if (started) b.stop();
    },
  };
}
