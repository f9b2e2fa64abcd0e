import { status, type ServiceError } from '@grpc/grpc-js';
import { connect } from 'node:http2';
import { Writable } from 'node:stream';

import { contracts, SERVICE_NAMES, type v1 } from '@learnchain/proto';

import { clientStream, createClient, serverStream, unary } from '../grpc/client';
import { HandlerFactory, writeMessage } from '../grpc/handlers';
import { GrpcServer } from '../grpc/server';
import { errorDetailOf, invalidArgument } from '../grpc/status';
import { createLogger } from '../logger';

const logLines: string[] = [];
const logger = createLogger({
  service: 'test',
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
});

let release: (() => void) | undefined;
const blobs = new Map<string, Buffer>();
/** GetBlob calls under way, and whether one found the stream full (a write had to wait for it to drain). */
const downloads = { running: 0, waited: false };

function aggregatorService() {
  const h = new HandlerFactory(logger, SERVICE_NAMES.aggregator);
  return {
    GetRound: h.unary('GetRound', async (request: v1.GetRoundRequest__Output): Promise<v1.RoundStatus> => {
      if (request.jobId === '') throw invalidArgument('job_id', 'must not be empty', 'empty');
      if (request.jobId === 'boom') throw new Error('secret internal detail');
      if (request.jobId === 'db-restarting') throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      if (request.jobId === 'db-broken') throw new Error('Client has encountered a connection error and is not queryable');
      if (request.jobId === 'db-closed') throw Object.assign(new Error('database "learnchain" is not currently accepting connections'), { code: '55000' });
      if (request.jobId === 'db-bug') throw Object.assign(new Error('column "x" does not exist'), { code: '42703' });
      if (request.jobId === 'db-protocol') throw Object.assign(new Error('bind message supplies 2 parameters, but prepared statement requires 1'), { code: '08P01' });
      if (request.jobId === 'slow') await new Promise<void>((resolve) => (release = resolve));
      return { jobId: request.jobId, round: request.round, state: 'ROUND_STATE_OPEN' };
    }),
    PutBlob: h.clientStream('PutBlob', async (chunks: AsyncIterable<v1.BlobChunk__Output>): Promise<v1.PutBlobResponse> => {
      const parts: Buffer[] = [];
      let hash: Buffer = Buffer.alloc(0);
      for await (const chunk of chunks) {
        if (chunk.header) hash = chunk.header.hash;
        parts.push(chunk.data);
      }
      blobs.set(hash.toString('hex'), Buffer.concat(parts));
      return { hash, size: Buffer.concat(parts).length };
    }),
    GetBlob: h.serverStream('GetBlob', async (request: v1.GetBlobRequest__Output, call) => {
      const blob = blobs.get(request.hash.toString('hex'));
      if (!blob) throw invalidArgument('hash', 'unknown blob', 'unknown');
      downloads.running += 1;
      try {
        for (let offset = 0; offset < blob.length; offset += request.chunkSize) {
          const written = writeMessage(call, { data: blob.subarray(offset, offset + request.chunkSize) });
          if (call.writableNeedDrain) downloads.waited = true;
          await written;
        }
      } finally {
        downloads.running -= 1;
      }
    }),
  };
}

/** A server of the test's aggregator service on a free port, and a client of it. */
async function serve(): Promise<{ server: GrpcServer; client: InstanceType<ReturnType<typeof contracts>['aggregator']> }> {
  const server = await GrpcServer.create({
    address: '127.0.0.1:0',
    logger,
    services: [{ name: SERVICE_NAMES.aggregator, definition: contracts().aggregator.service, implementation: aggregatorService() }],
  });
  return { server, client: createClient(contracts().aggregator, server.address) };
}

describe('gRPC helpers over a real socket', () => {
  let server: GrpcServer;
  let client: InstanceType<ReturnType<typeof contracts>['aggregator']>;
  let health: InstanceType<ReturnType<typeof contracts>['health']>;

  beforeAll(async () => {
    ({ server, client } = await serve());
    health = createClient(contracts().health, server.address);
  });

  afterAll(async () => {
    client.close();
    health.close();
    await server.shutdown(100);
  });

  it('answers health checks for the server and each service', async () => {
    await expect(unary(health, 'check', { service: '' })).resolves.toEqual({ status: 'SERVING' });
    await expect(unary(health, 'check', { service: SERVICE_NAMES.aggregator })).resolves.toEqual({ status: 'SERVING' });
    await expect(unary(health, 'check', { service: 'nope' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('returns a handler result', async () => {
    await expect(unary(client, 'getRound', { jobId: 'j', round: 2 })).resolves.toMatchObject({ jobId: 'j', round: 2, state: 'ROUND_STATE_OPEN' });
  });

  it('carries the field and reason of INVALID_ARGUMENT', async () => {
    const error = await unary(client, 'getRound', { jobId: '' }).catch((e: ServiceError) => e);
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'job_id: must not be empty' });
    expect(errorDetailOf(error)).toEqual({ field: 'job_id', reason: 'empty', message: 'must not be empty' });
  });

  it('answers INTERNAL for a bug, logs it, and leaks nothing', async () => {
    const error = (await unary(client, 'getRound', { jobId: 'boom' }).catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).not.toMatch(/secret/);
    expect(logLines.some((line) => line.includes('secret internal detail') && line.includes('"level":50'))).toBe(true);
  });

  it('answers UNAVAILABLE, to be tried again, while the database is away; a bad query stays a bug', async () => {
    for (const jobId of ['db-restarting', 'db-broken', 'db-closed']) {
      const error = (await unary(client, 'getRound', { jobId }).catch((e: ServiceError) => e)) as ServiceError;
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(errorDetailOf(error)).toMatchObject({ reason: 'unavailable' });
    }
    for (const jobId of ['db-bug', 'db-protocol']) {
      const bug = (await unary(client, 'getRound', { jobId }).catch((e: ServiceError) => e)) as ServiceError;
      expect(bug.code).toBe(status.INTERNAL);
    }
    // Every call is answered, but the method says the database is away once for a burst of them.
    const notices = logLines.filter((line) => line.includes('the database is away') && line.includes('GetRound'));
    expect(notices).toHaveLength(1);
  });

  it('gives up at the deadline', async () => {
    await expect(unary(client, 'getRound', { jobId: 'slow' }, { deadlineMs: 100 })).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    release?.();
  });

  it('cancels on an AbortSignal', async () => {
    const controller = new AbortController();
    const call = unary(client, 'getRound', { jobId: 'slow' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(call).rejects.toMatchObject({ code: status.CANCELLED });
    release?.();
  });

  it('ends a failing server stream with its status, not at the deadline', async () => {
    const read = async () => {
      for await (const _chunk of serverStream(client, 'getBlob', { hash: Buffer.from('bb', 'hex'), chunkSize: 10 }, { deadlineMs: 5000 })) {
        /* nothing arrives */
      }
    };
    const error = (await read().catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(errorDetailOf(error)).toMatchObject({ field: 'hash', reason: 'unknown' });
  });

  it('streams up and down in chunks', async () => {
    const blob = Buffer.alloc(300_000, 7);
    const upload = clientStream(client, 'putBlob');
    await upload.write({ header: { hash: Buffer.from('aa', 'hex'), size: blob.length, kind: 'BLOB_KIND_UPDATE' }, data: blob.subarray(0, 100_000) });
    await upload.write({ data: blob.subarray(100_000) });
    await expect(upload.finish()).resolves.toMatchObject({ size: blob.length });

    const chunks: Buffer[] = [];
    for await (const chunk of serverStream(client, 'getBlob', { hash: Buffer.from('aa', 'hex'), chunkSize: 65_536 })) chunks.push(chunk.data);
    expect(chunks).toHaveLength(5);
    expect(Buffer.concat(chunks).equals(blob)).toBe(true);
  });
});

describe('a server stream whose client stops reading', () => {
  it('ends its handler when the client cancels while a write waits for the stream to drain', async () => {
    const { server, client } = await serve();
    try {
      blobs.set('cc', Buffer.alloc(32 * 1024 * 1024, 3));
      downloads.waited = false;
      // Nothing reads the response: flow control stops the server once the client's window and the buffers are full.
      const call = client.getBlob({ hash: Buffer.from('cc', 'hex'), chunkSize: 64 * 1024 });
      call.on('error', () => undefined);
      while (!downloads.waited) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(downloads.running).toBe(1);
      call.cancel();
      while (downloads.running > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(downloads.running).toBe(0);
    } finally {
      blobs.delete('cc');
      client.close();
      await server.shutdown(100);
    }
  });
});

describe('graceful shutdown', () => {
  it('lets a call in flight finish, then refuses new calls', async () => {
    const { server, client } = await serve();
    release = undefined;
    const inFlight = unary(client, 'getRound', { jobId: 'slow', round: 1 });
    // In flight: the handler has it (and waits for release).
    const held = (): (() => void) | undefined => release;
    while (held() === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    const stopped = server.shutdown(5000);
    expect(server.state).toBe('draining');
    held()?.();
    await expect(inFlight).resolves.toMatchObject({ jobId: 'slow' });
    await stopped;
    expect(server.state).toBe('stopped');
    await expect(unary(client, 'getRound', { jobId: 'x' }, { deadlineMs: 500 })).rejects.toMatchObject({ code: expect.any(Number) });
    client.close();
  });
});

describe('HTTP/2 flow control', () => {
  it('advertises receive windows as large as the message limit, for the stream and the connection', async () => {
    const maxMessageBytes = 3 * 1024 * 1024;
    const server = await GrpcServer.create({ address: '127.0.0.1:0', logger, maxMessageBytes, services: [] });
    const session = connect(`http://${server.address}`);
    try {
      await new Promise<void>((resolve, reject) => {
        session.once('remoteSettings', () => resolve());
        session.once('error', reject);
      });
      expect(session.remoteSettings.initialWindowSize).toBe(maxMessageBytes);
      // the connection window arrives as a WINDOW_UPDATE right after the settings
      for (let i = 0; i < 50 && (session.state.remoteWindowSize ?? 0) < maxMessageBytes; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(session.state.remoteWindowSize).toBe(maxMessageBytes);
    } finally {
      session.close();
      await server.shutdown(100);
    }
  });
});
