// Entry of a validator's evaluation thread: keeps the validation sets it is sent (by hash) until told to drop them, and runs each
// evaluation on onnxruntime, whose session.run blocks the thread it is called on.
import { parentPort } from 'node:worker_threads';
import { errorAnswer } from '@learnchain/core';
import { builtModel, evaluate, type Dataset } from '@learnchain/model';

import type { EvaluateReply, EvaluateRequest } from './evaluation-thread';

const port = parentPort;
if (port === null) throw new Error('the evaluation worker must run in a worker thread');
const datasets = new Map<string, Dataset>();

port.on('message', (request: EvaluateRequest & { readonly id: number }) => {
  for (const key of request.drop) datasets.delete(key);
  if (request.dataset) datasets.set(request.datasetKey, request.dataset);
  // Every failure, an unknown model or set included, is an answer: the thread lives on.
  Promise.resolve()
    .then(() => {
      const dataset = datasets.get(request.datasetKey);
      if (!dataset) throw new Error(`validation set ${request.datasetKey} was never sent to this thread`);
      return evaluate(builtModel(request.model), request.params, dataset, { threads: request.threads });
    })
    .then(
      ({ loss, accuracy }) => port.postMessage({ id: request.id, ok: true, loss, accuracy } satisfies EvaluateReply & { id: number }),
      (error: unknown) => port.postMessage({ id: request.id, ...errorAnswer(error) } satisfies EvaluateReply & { id: number }),
    );
});
