import cliProgress from 'cli-progress';
import type { ApiIngestEvent, PipelineEvent } from '@market-spine/domains-finra';
import type { CliIo } from './output.js';

/** A bar on stderr, only drawn on a terminal and not with `--json`, so pipes and logs stay clean. */
function bar(io: CliIo, enabled: boolean, format: string): cliProgress.SingleBar | undefined {
  if (!enabled || !io.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar({ stream: io.stderr, format, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
}

/**
 * A bar of steps: `total` says how many steps an event plans (undefined for
 * other events), `step` names the step an event completes (undefined when it
 * completes none).
 */
function stepProgress<E>(io: CliIo, enabled: boolean, total: (event: E) => number | undefined, step: (event: E) => string | undefined): { onEvent: (event: E) => void; stop: () => void } {
  const b = bar(io, enabled, ' {bar} {value}/{total} {step}');
  if (!b) return { onEvent: () => undefined, stop: () => undefined };
  let started = false;
  return {
    onEvent(event) {
      const planned = total(event);
      if (planned !== undefined) {
        b.start(planned, 0, { step: 'starting' });
        started = true;
        return;
      }
      const done = started ? step(event) : undefined;
      if (done !== undefined) b.increment({ step: done });
    },
    stop() {
      if (started) b.stop();
    },
  };
}

/** A progress bar for a pipeline run: one step per file ingested and per stage of each (week, tier). */
export function pipelineProgress(io: CliIo, enabled: boolean): { onEvent: (event: PipelineEvent) => void; stop: () => void } {
  return stepProgress<PipelineEvent>(
    io,
    enabled,
    (event) => (event.type === 'planned' ? event.files + event.stages : undefined),
    (event) => (event.type === 'file' ? `${event.status}: ${event.path.split('/').pop() ?? event.path}` : event.type === 'stage' ? `${event.partitionKey} ${event.stage}` : undefined),
  );
}

/** A progress bar for an API file's load: one step per stage of each (week, tier). */
export function apiIngestProgress(io: CliIo, enabled: boolean): { onEvent: (event: ApiIngestEvent) => void; stop: () => void } {
  return stepProgress<ApiIngestEvent>(
    io,
    enabled,
    (event) => (event.type === 'planned' ? event.steps : undefined),
    (event) => (event.type === 'stage' ? `${event.partitionKey} ${event.stage}` : undefined),
  );
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
