import type { Deadline } from '../concurrency/deadline.js';
import { DeadlineExceededError } from '../errors/dnsgate-errors.js';
import type { BatchPipeline, ApplyOptions } from './batch-pipeline.js';
import type { BatchReport } from './batch-report.js';
import type { Changes } from '@dnsgate/protocol';

/**
 * `work`, or a DeadlineExceededError (504) once `deadline` passes, whatever
 * the plugin does: a plugin that never returns cannot make ExternalDNS's
 * client time out (which it treats as fatal). `work` goes on in the
 * background; `onLate` hears how it ended.
 */
export function withinDeadline<T>(
  deadline: Deadline,
  what: string,
  work: Promise<T>,
  onLate?: (outcome: PromiseSettledResult<T>) => void,
): Promise<T> {
  if (deadline.signal.aborted) {
    settleLate(work, onLate);
    return Promise.reject(new DeadlineExceededError(`${what}: the deadline of the call passed before it began`));
  }
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const onAbort = () => {
      timedOut = true;
      reject(new DeadlineExceededError(`${what}: no answer from the backend within the deadline of the call`));
    };
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        deadline.signal.removeEventListener('abort', onAbort);
        if (timedOut) onLate?.({ status: 'fulfilled', value });
        else resolve(value);
      },
      (reason: unknown) => {
        deadline.signal.removeEventListener('abort', onAbort);
        if (timedOut) onLate?.({ status: 'rejected', reason });
        else reject(reason);
      },
    );
  });
}

function settleLate<T>(work: Promise<T>, onLate?: (outcome: PromiseSettledResult<T>) => void): void {
  work.then(
    (value) => onLate?.({ status: 'fulfilled', value }),
    (reason: unknown) => onLate?.({ status: 'rejected', reason }),
  );
}

/** What `applyWithinDeadline` found. */
export interface DeadlineBoundReport {
  report: BatchReport;
  /** The deadline passed first: `report` is the state then; `finished` tells how the run ended. */
  timedOut: boolean;
  finished: Promise<BatchReport>;
}

/** Applies `changes` through `pipeline`, answering with the report as it stands when the deadline passes. */
export async function applyWithinDeadline(
  pipeline: BatchPipeline,
  changes: Changes,
  options: ApplyOptions,
): Promise<DeadlineBoundReport> {
  const run = pipeline.apply(changes, options);
  try {
    const report = await withinDeadline(options.deadline, 'ApplyChanges', run.finished);
    return { report, timedOut: false, finished: run.finished };
  } catch (error) {
    if (!(error instanceof DeadlineExceededError)) throw error;
    return { report: run.atDeadline(), timedOut: true, finished: run.finished };
  }
}
