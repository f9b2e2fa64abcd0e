// Entry of an aggregation pool's worker thread: runs each task it is sent and answers with its id.
import { parentPort } from 'node:worker_threads';
import { runTask } from './kernels';
import type { TaskReply, TaskRequest } from './protocol';

const port = parentPort;
if (port === null) throw new Error('the aggregation worker must run in a worker thread');
port.on('message', (request: TaskRequest) => {
  let reply: TaskReply;
  try {
    reply = { id: request.id, ok: true, kept: runTask(request.task) };
  } catch (err) {
    reply = { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
