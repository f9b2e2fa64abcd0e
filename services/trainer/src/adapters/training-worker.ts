// Entry of a trainer's training thread: holds the node's shard (sent once, as workerData) and runs
// each training request on onnxruntime, whose session.run blocks the thread it is called on.
import { parentPort, workerData } from 'node:worker_threads';
import { errorAnswer, yieldThreadPriority } from '@learnchain/core';
import { builtModel, trainLocal, type Dataset } from '@learnchain/model';

import type { TrainReply, TrainRequest, TrainingThreadData } from './training-thread';

const port = parentPort;
if (port === null) throw new Error('the training worker must run in a worker thread');
const { shard, nice } = workerData as TrainingThreadData;

/** What keeps the thread from stepping back as asked, told with the first answer. */
let priorityWarning = nice > 0 ? lowerPriority(nice) : undefined;

function lowerPriority(value: number): string | undefined {
  try {
    return yieldThreadPriority(value) === undefined ? `this platform cannot lower one thread's priority: training competes with the node's own work at nice 0, not ${value}` : undefined;
  } catch (error) {
    return `the training thread's priority was not lowered to nice ${value}: ${(error as Error).message}`;
  }
}

port.on('message', (request: TrainRequest & { readonly id: number }) => {
  const warnings: string[] = priorityWarning ? [priorityWarning] : [];
  priorityWarning = undefined;
  // Every failure, an unknown model included, is an answer: the thread lives on.
  Promise.resolve()
    .then(() => trainLocal(builtModel(request.model), request.base, shard, { ...request.options, onWarning: (message) => warnings.push(message) }))
    .then(
      (result) => port.postMessage({ id: request.id, ok: true, params: result.params, losses: result.losses, provider: result.provider, warnings } satisfies TrainReply & { id: number }, [result.params.buffer as ArrayBuffer]),
      (error: unknown) => port.postMessage({ id: request.id, ...errorAnswer(error), warnings } satisfies TrainReply & { id: number }),
    );
});
