import cliProgress from 'cli-progress';
import type { PipelineEvent } from '@market-spine/domains-finra';
import type { CliIo } from './output.js';

/**
 * A progress bar on stderr for a pipeline run: one step per file ingested
 * and per stage of each (week, tier). Only drawn on a terminal and not with
 * `--json`, so pipes and logs stay clean.
 */
export function pipelineProgress(io: CliIo, enabled: boolean): { onEvent: (event: PipelineEvent) => void; stop: () => void } {
  if (!enabled || !io.stderr.isTTY) return { onEvent: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: io.stderr, format: ' {bar} {value}/{total} {step}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onEvent(event) {
      if (event.type === 'planned') {
        bar.start(event.files + event.stages, 0, { step: 'reading files' });
        started = true;
      } else if (started && event.type === 'file') {
        bar.increment({ step: `${event.status}: ${event.path.split('/').pop() ?? event.path}` });
      } else if (started && event.type === 'stage') {
        bar.increment({ step: `${event.partitionKey} ${event.stage}` });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
