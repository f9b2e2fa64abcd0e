/**
 * A test server implementing the Aggregator contract (GetBlob, SubmitUpdate)
 * and the one Validator call a trainer makes (QueryState "jobs/ID"). It
 * collects every update with the size of each data chunk, and refuses what a
 * real aggregator refuses: no header first, a chunk over the limit, bytes that
 * do not match the declared size or hash, a signature that does not verify.
 */
import {
  ContentHasher,
  createLogger,
  failedPrecondition,
  GrpcServer,
  HandlerFactory,
  invalidArgument,
  notFound,
  resourceExhausted,
  sha256,
  toHex,
  unauthenticated,
  updateStatement,
  verifyStatement,
  writeMessage,
} from '@learnchain/core';
import { contracts, SERVICE_NAMES, type v1 } from '@learnchain/proto';

export interface ReceivedUpdate {
  readonly header: v1.UpdateHeader__Output;
  readonly bytes: Uint8Array;
  /** The data size of every message after the header. */
  readonly chunkSizes: readonly number[];
  /** Whether the header came in a message of its own. */
  readonly headerAlone: boolean;
}

export interface AggregatorStubOptions {
  readonly chainId: string;
  /** Job JSON answered by QueryState("jobs/ID"), by job id. */
  readonly jobs?: Readonly<Record<string, unknown>>;
  readonly maxChunkBytes: number;
  readonly maxMessageBytes: number;
}

const ENCODINGS: Record<string, string> = { DTYPE_FLOAT32: 'float32', DTYPE_FLOAT16: 'float16', DTYPE_INT8: 'int8' };

export class AggregatorStub {
  readonly received: ReceivedUpdate[] = [];
  readonly refusals: string[] = [];
  private readonly blobs = new Map<string, Uint8Array>();
  /** Rounds (`job/round`) refused as closed, as a real aggregator refuses a late update. */
  private readonly closed = new Set<string>();

  private constructor(
    private readonly options: AggregatorStubOptions,
    private server: GrpcServer | undefined,
  ) {}

  static async start(options: AggregatorStubOptions): Promise<AggregatorStub> {
    const stub = new AggregatorStub(options, undefined);
    const logger = createLogger({ service: 'aggregator-stub', level: 'silent' });
    const aggregator = new HandlerFactory(logger, SERVICE_NAMES.aggregator);
    const validator = new HandlerFactory(logger, SERVICE_NAMES.validator);
    stub.server = await GrpcServer.create({
      address: '127.0.0.1:0',
      logger,
      maxMessageBytes: options.maxMessageBytes,
      services: [
        {
          name: SERVICE_NAMES.aggregator,
          definition: contracts().aggregator.service,
          implementation: {
            GetBlob: aggregator.serverStream('GetBlob', (request: v1.GetBlobRequest__Output, call) => stub.getBlob(request, call)),
            SubmitUpdate: aggregator.clientStream('SubmitUpdate', (messages: AsyncIterable<v1.UpdateChunk__Output>) => stub.submit(messages)),
          },
        },
        {
          name: SERVICE_NAMES.validator,
          definition: contracts().validator.service,
          implementation: {
            QueryState: validator.unary('QueryState', async (request: v1.QueryStateRequest__Output): Promise<v1.QueryStateResponse> => {
              const id = /^jobs\/([^/]+)$/.exec(request.path)?.[1];
              const job = id === undefined ? undefined : options.jobs?.[id];
              if (job === undefined) throw notFound('state', request.path, 'path');
              return { height: 1, appHash: Buffer.alloc(32), json: JSON.stringify(job) };
            }),
          },
        },
      ],
    });
    return stub;
  }

  get address(): string {
    return this.server?.address ?? '';
  }

  /** Serves `bytes` as if they were the blob `hash` (a lying or corrupted store). */
  putUnder(hash: Uint8Array, bytes: Uint8Array): void {
    this.blobs.set(toHex(hash), bytes);
  }

  /** From now on, refuses updates of this round as a closed round's. */
  close(jobId: string, round: number): void {
    this.closed.add(`${jobId}/${round}`);
  }

  /** Stores a blob and returns its SHA-256. */
  put(bytes: Uint8Array): Uint8Array {
    const hash = sha256(bytes);
    this.blobs.set(toHex(hash), bytes);
    return hash;
  }

  private async getBlob(request: v1.GetBlobRequest__Output, call: Parameters<typeof writeMessage>[0]): Promise<void> {
    const blob = this.blobs.get(toHex(new Uint8Array(request.hash)));
    if (!blob) throw notFound('blob', toHex(new Uint8Array(request.hash)), 'hash');
    const size = Math.min(request.chunkSize || this.options.maxChunkBytes, this.options.maxChunkBytes);
    for (let at = 0; at < Math.max(1, blob.byteLength); at += size) {
      const data = Buffer.from(blob.buffer, blob.byteOffset + at, Math.min(size, blob.byteLength - at));
      await writeMessage(call, at === 0 ? { header: { hash: request.hash, size: blob.byteLength, kind: 'BLOB_KIND_PARAMETERS' }, data } : { data });
    }
  }

  private async submit(messages: AsyncIterable<v1.UpdateChunk__Output>): Promise<v1.SubmitUpdateResponse> {
    try {
      return await this.take(messages);
    } catch (error) {
      this.refusals.push((error as Error).message);
      throw error;
    }
  }

  private async take(messages: AsyncIterable<v1.UpdateChunk__Output>): Promise<v1.SubmitUpdateResponse> {
    let header: v1.UpdateHeader__Output | undefined;
    let headerAlone = false;
    let buffer = new Uint8Array(0);
    let received = 0;
    const chunkSizes: number[] = [];
    const hasher = new ContentHasher();
    for await (const message of messages) {
      if (!header) {
        if (!message.header) throw invalidArgument('header', 'the first message must carry the header', 'missing_header');
        header = message.header;
        headerAlone = message.data.byteLength === 0;
        if (header.chainId !== this.options.chainId) throw invalidArgument('header.chain_id', 'wrong chain', 'wrong_chain');
        if (this.closed.has(`${header.jobId}/${header.round}`)) throw failedPrecondition(`round ${header.round} is closed`, 'round_closed', 'header.round');
        buffer = new Uint8Array(header.updateSize);
      } else if (message.header) {
        throw invalidArgument('header', 'only the first message may carry the header', 'header_not_first');
      }
      const data = message.data;
      if (data.byteLength > this.options.maxChunkBytes) throw resourceExhausted(`a chunk of ${data.byteLength} bytes exceeds the ${this.options.maxChunkBytes}-byte limit`, 'chunk_too_large', 'data');
      if (received + data.byteLength > buffer.byteLength) throw invalidArgument('data', 'more than update_size', 'overlong');
      if (data.byteLength > 0 || message.header === null) chunkSizes.push(data.byteLength);
      buffer.set(data, received);
      hasher.update(data);
      received += data.byteLength;
    }
    if (!header) throw invalidArgument('header', 'empty stream', 'missing_header');
    if (received !== buffer.byteLength) throw invalidArgument('data', `ended after ${received} of ${buffer.byteLength} bytes`, 'truncated');
    const hash = hasher.digest();
    if (toHex(hash) !== toHex(new Uint8Array(header.updateHash))) throw invalidArgument('header.update_hash', 'hash mismatch', 'hash_mismatch');
    const statement = updateStatement({
      chainId: header.chainId,
      jobId: header.jobId,
      round: header.round,
      baseModelHash: new Uint8Array(header.baseModelHash),
      updateHash: new Uint8Array(header.updateHash),
      encoding: ENCODINGS[header.encoding] ?? '',
      numSamples: header.numSamples,
    });
    if (!header.signature || !verifyStatement(new Uint8Array(header.signature.publicKey), 'update', statement, new Uint8Array(header.signature.signature))) {
      throw unauthenticated('the signature does not cover this update', 'bad_signature', 'header.signature');
    }
    this.received.push({ header, bytes: buffer, chunkSizes, headerAlone });
    return { updateHash: Buffer.from(hash), duplicate: false };
  }

  async stop(): Promise<void> {
    await this.server?.shutdown(1000);
  }
}
