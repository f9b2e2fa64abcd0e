// Entry of a signature-checking worker thread (see signature-checks.ts): answers each task with a verdict per signature.
import { parentPort } from 'node:worker_threads';

import { verifyBytes } from './identity';
import { unpackTask, type SignatureReply, type SignatureTask } from './signature-task';

const port = parentPort;
if (port === null) throw new Error('the signature worker must run in a worker thread');
port.on('message', (task: SignatureTask) => {
  const items = unpackTask(task);
  const ok = new Uint8Array(items.length);
  items.forEach((s, i) => {
    ok[i] = verifyBytes(s.publicKey, s.message, s.signature) ? 1 : 0;
  });
  const reply: SignatureReply = { id: task.id, ok };
  port.postMessage(reply, [ok.buffer as ArrayBuffer]);
});
