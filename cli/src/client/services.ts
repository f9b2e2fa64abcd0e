/**
 * The CLI's view of a running mesh: one small client per service whose calls
 * carry deadlines and turn gRPC failures into errors that name the service and
 * its address (ServiceUnreachableError when nothing answers there).
 */
import { createClient, Status, unary, type CallOptions } from '@learnchain/core';
import { contracts, type v1 } from '@learnchain/proto';

import { NotOnChainError, ServiceCallError, ServiceUnreachableError, type ServiceKind } from './errors';

const MiB = 1024 * 1024;

/** How long the CLI waits for a service to answer before calling it unreachable. */
export const CONNECT_DEADLINE_MS = 5000;
/** Records asked for per QueryState page of a list (the validator's most). */
const LIST_PAGE = 1000;

interface GrpcFailure {
  readonly code?: number;
  readonly details?: string;
  readonly message?: string;
}

/** The error a failed call becomes: unreachable when the channel never connected, a refusal otherwise. */
export function describeFailure(service: ServiceKind, address: string, call: string, error: unknown): Error {
  const failure = error as GrpcFailure;
  const detail = failure.details || failure.message || String(error);
  if (failure.code === Status.UNAVAILABLE) return new ServiceUnreachableError(service, address, detail);
  if (failure.code === Status.DEADLINE_EXCEEDED && /waiting for the connection|Waiting for LB pick|connection/i.test(detail)) return new ServiceUnreachableError(service, address, detail);
  return new ServiceCallError(service, address, call, `${Status[failure.code ?? Status.UNKNOWN] ?? 'UNKNOWN'}: ${detail}`);
}

async function call<T>(service: ServiceKind, address: string, name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw describeFailure(service, address, name, error);
  }
}

type ValidatorClient = InstanceType<ReturnType<typeof contracts>['validator']>;
type RegistryClient = InstanceType<ReturnType<typeof contracts>['registry']>;

/** A validator's client API (Status, GetBlock, QueryState, BroadcastTx). */
export class ValidatorApi {
  private readonly client: ValidatorClient;

  constructor(readonly address: string) {
    this.client = createClient(contracts().validator, address, { maxMessageBytes: 64 * MiB });
  }

  status(options: CallOptions = {}): Promise<v1.StatusResponse__Output> {
    return call('validator', this.address, 'Status', () => unary(this.client, 'Status', {}, { deadlineMs: CONNECT_DEADLINE_MS, ...options }));
  }

  /** The block at `height` (0: the latest) with its commit and transaction outcomes. */
  block(height: number, options: CallOptions = {}): Promise<v1.GetBlockResponse__Output> {
    return call('validator', this.address, 'GetBlock', () => unary(this.client, 'GetBlock', { height }, { deadlineMs: CONNECT_DEADLINE_MS, ...options }));
  }

  /** The parsed JSON of a ledger path; NotOnChainError when the path names nothing. */
  async query<T>(path: string, options: CallOptions = {}): Promise<{ height: number; value: T }> {
    try {
      const answer = await unary(this.client, 'QueryState', { path }, { deadlineMs: CONNECT_DEADLINE_MS, ...options });
      return { height: answer.height, value: JSON.parse(answer.json) as T };
    } catch (error) {
      if ((error as GrpcFailure).code === Status.NOT_FOUND) throw new NotOnChainError(path);
      throw describeFailure('validator', this.address, 'QueryState', error);
    }
  }

  /** Every record of a listed collection ("jobs", "members"), page after page; `height` that of the last page. */
  async list<T>(path: string, options: CallOptions = {}): Promise<{ height: number; value: T[] }> {
    const value: T[] = [];
    let after = '';
    let height = 0;
    do {
      const answer = await call('validator', this.address, 'QueryState', () => unary(this.client, 'QueryState', { path, after, limit: LIST_PAGE }, { deadlineMs: CONNECT_DEADLINE_MS, ...options }));
      value.push(...(JSON.parse(answer.json) as T[]));
      height = answer.height;
      after = answer.nextAfter;
    } while (after !== '');
    return { height, value };
  }

  /** The value at `path`, or undefined when nothing is there. */
  async queryOptional<T>(path: string, options: CallOptions = {}): Promise<T | undefined> {
    try {
      return (await this.query<T>(path, options)).value;
    } catch (error) {
      if (error instanceof NotOnChainError) return undefined;
      throw error;
    }
  }

  broadcast(tx: v1.Tx, wait: v1.TxWait, options: CallOptions = {}): Promise<v1.BroadcastTxResponse__Output> {
    return call('validator', this.address, 'BroadcastTx', () => unary(this.client, 'BroadcastTx', { tx, wait }, { deadlineMs: 60_000, ...options }));
  }

  close(): void {
    this.client.close();
  }
}

/** The registry's List. */
export class RegistryApi {
  private readonly client: RegistryClient;

  constructor(readonly address: string) {
    this.client = createClient(contracts().registry, address);
  }

  list(request: v1.ListMembersRequest, options: CallOptions = {}): Promise<v1.ListMembersResponse__Output> {
    return call('registry', this.address, 'List', () => unary(this.client, 'list', request, { deadlineMs: CONNECT_DEADLINE_MS, ...options }));
  }

  close(): void {
    this.client.close();
  }
}

/** Runs `work` with a client and closes it after. */
export async function using<C extends { close(): void }, T>(client: C, work: (client: C) => Promise<T>): Promise<T> {
  try {
    return await work(client);
  } finally {
    client.close();
  }
}
