// Entry of a trainer's training thread: holds the node's shard (sent once, as workerData) and runs
// each training request on onnxruntime, whose session.run blocks the thread it is called on.
import { parentPort, workerData } from 'node:worker_threads';
import { errorAnswer } from '@learnchain/core';
import { builtModel, trainLocal, type Dataset } from '@learnchain/model';

import type { TrainReply, TrainRequest } from './training-thread';

const port = parentPort;
if (port === null) throw new Error('the training worker must run in a worker thread');
const shard = (workerData as { shard: Dataset }).shard;

port.on('message', (request: TrainRequest & { readonly id: number }) => {
  const warnings: string[] = [];
  // Every failure, an unknown model included, is an answer: the thread lives on.
  Promise.resolve()
    .then(() => trainLocal(builtModel(request.model), request.base, shard, { ...request.options, onWarning: (message) => warnings.push(message) }))
    .then(
      (result) => port.postMessage({ id: request.id, ok: true, params: result.params, losses: result.losses, provider: result.provider, warnings } satisfies TrainReply & { id: number }, [result.params.buffer as ArrayBuffer]),
      (error: unknown) => port.postMessage({ id: request.id, ...errorAnswer(error), warnings } satisfies TrainReply & { id: number }),
    );
});
