/**
 * The Validator gRPC API for clients: BroadcastTx (and BroadcastTxs, many in
 * one call, each with its own verdict), GetBlock, GetCommit, QueryState,
 * Status, WatchBlocks. Bad input is INVALID_ARGUMENT naming the field, a bad
 * signature UNAUTHENTICATED, a full mempool RESOURCE_EXHAUSTED.
 */
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  failedPrecondition,
  HandlerFactory,
  invalidArgument,
  notFound,
  resourceExhausted,
  Status,
  StatusError,
  toHex,
  type ErrorDetail,
  writeMessage,
  type Logger,
  type SignatureChecks,
} from '@learnchain/core';
import { canonicalJson, ledgerValidators, TxFormatError, UnknownPathError, type Genesis } from '@learnchain/ledger';
import { SERVICE_NAMES, type v1 } from '@learnchain/proto';

import type { Chain, CommittedBlock } from './chain';
import { MempoolFullError } from './errors';
import type { Network } from './gossip';
import { isTxRefusal, type Admission, type Mempool, type TxRefusal } from './mempool';
import type { ValidatorNode } from './node';
import { watchBlocks } from './watch-blocks';

export interface ApiOptions {
  readonly genesis: Genesis;
  readonly chain: Chain;
  readonly mempool: Mempool;
  /** Where a submitted transaction's signature is checked. */
  readonly signatures: SignatureChecks;
  readonly node: ValidatorNode;
  readonly network: () => Network;
  readonly address: string;
  readonly logger: Logger;
}

/** Transactions one BroadcastTxs call may carry. */
export const MAX_BROADCAST_TXS = 1000;

/** Records in a page of a listed collection ("jobs", "members") when QueryState names no limit, and the most it may name. */
export const DEFAULT_STATE_PAGE = 100;
export const MAX_STATE_PAGE = 1000;

/** A block on its way to a WatchBlocks client. */
interface StreamedBlock {
  readonly height: number;
  readonly response: v1.GetBlockResponse;
}

/** The status a refused transaction is answered with (`tx` names it in the request), as data: a batch answers many. */
function refusalOf(error: TxRefusal, tx: string): { readonly code: Status; readonly detail: ErrorDetail } {
  if (error instanceof TxFormatError) {
    const code = error.reason === 'bad_signature' || error.reason === 'unsigned' ? Status.UNAUTHENTICATED : Status.INVALID_ARGUMENT;
    return { code, detail: { field: `${tx}.${error.field}`, reason: error.reason, message: error.message } };
  }
  if (error instanceof MempoolFullError) return { code: Status.RESOURCE_EXHAUSTED, detail: { field: '', reason: 'mempool_full', message: error.message } };
  if (error.reason.startsWith('not-authorised')) return { code: Status.PERMISSION_DENIED, detail: { field: `${tx}.${error.field}`, reason: 'not_authorised', message: error.reason } };
  return { code: Status.INVALID_ARGUMENT, detail: { field: `${tx}.${error.field}`, reason: error.code, message: error.reason } };
}

function toStatus(error: unknown): unknown {
  if (!isTxRefusal(error)) return error;
  const { code, detail } = refusalOf(error, 'tx');
  return new StatusError(code, detail);
}

/** One transaction's verdict in a BroadcastTxs answer. */
function admissionOf(admission: Admission, index: number): v1.TxAdmission {
  if (!('refused' in admission)) return { txHash: Buffer.from(admission.tx.hash), queued: true };
  const { code, detail } = refusalOf(admission.refused, `txs[${index}]`);
  return { txHash: admission.hash ? Buffer.from(admission.hash) : Buffer.alloc(0), queued: false, code, error: detail };
}

function blockResponse(stored: { block: v1.Block__Output; commit: v1.Commit__Output; hash: Uint8Array; outcomes: readonly { txHash: string; accepted: boolean; reason: string }[] }): v1.GetBlockResponse {
  return {
    block: stored.block as v1.Block,
    blockHash: Buffer.from(stored.hash),
    commit: stored.commit as v1.Commit,
    outcomes: stored.outcomes.map((o) => ({ txHash: Buffer.from(o.txHash, 'hex'), accepted: o.accepted, reason: o.reason })),
  };
}

function committedResponse(c: CommittedBlock): v1.GetBlockResponse {
  return blockResponse({ block: c.block, commit: c.commit, hash: c.hash, outcomes: c.txs.map((t, i) => ({ txHash: t.hashHex, accepted: c.outcomes[i]?.accepted ?? false, reason: c.outcomes[i]?.reason ?? '' })) });
}

export function validatorApi(options: ApiOptions): UntypedServiceImplementation {
  const { chain, mempool, node, logger, genesis } = options;
  const h = new HandlerFactory(logger, SERVICE_NAMES.validator);

  const heightOf = (requested: number, field: string): number => {
    if (!Number.isSafeInteger(requested) || requested < 0) throw invalidArgument(field, 'must be a non-negative height', 'bad_height');
    return requested === 0 ? chain.persistedHeight : requested;
  };

  /** Passes transactions new to the mempool on to the peers, and wakes a proposer waiting for one. */
  const passOn = (admissions: readonly Admission[]): void => {
    let fresh = 0;
    for (const admission of admissions) {
      if ('refused' in admission || !admission.fresh) continue;
      options.network().gossipTx(admission.tx.wire);
      fresh += 1;
    }
    if (fresh > 0) node.txArrived();
  };

  return {
    BroadcastTx: h.unary('BroadcastTx', async (request: v1.BroadcastTxRequest__Output, _call, signal): Promise<v1.BroadcastTxResponse> => {
      if (!request.tx) throw invalidArgument('tx', 'is required', 'missing');
      let added;
      try {
        added = await mempool.addChecked(request.tx, options.signatures);
      } catch (error) {
        throw toStatus(error);
      }
      const hash = added.tx.hashHex;
      passOn([added]);
      if (request.wait !== 'TX_WAIT_COMMIT') return { txHash: Buffer.from(added.tx.hash) };
      try {
        const done = await chain.waitFor(hash, signal);
        return { txHash: Buffer.from(added.tx.hash), height: done.height, accepted: done.outcome.accepted, reason: done.outcome.reason };
      } catch {
        throw failedPrecondition('the call ended before the transaction was committed', 'not_committed_yet');
      }
    }),

    BroadcastTxs: h.unary('BroadcastTxs', async (request: v1.BroadcastTxsRequest__Output): Promise<v1.BroadcastTxsResponse> => {
      const count = request.txs.length;
      if (count === 0 || count > MAX_BROADCAST_TXS) throw invalidArgument('txs', `must hold 1 to ${MAX_BROADCAST_TXS} transactions, not ${count}`, 'bad_batch_size');
      // A client's batch is answered one by one (a full mempool refuses the rest), but not while more than
      // the mempool's size are still being checked.
      if (mempool.overloaded()) throw resourceExhausted('too many transactions are being checked already: send again shortly', 'mempool_busy');
      const admissions = await mempool.admitAll(request.txs, options.signatures);
      passOn(admissions);
      return { admissions: admissions.map(admissionOf) };
    }),

    GetBlock: h.unary('GetBlock', async (request: v1.GetBlockRequest__Output): Promise<v1.GetBlockResponse> => {
      const height = heightOf(request.height, 'height');
      const stored = height > 0 ? await chain.storedBlock(height) : undefined;
      if (!stored) throw notFound('block', String(height), 'height');
      return blockResponse(stored);
    }),

    GetCommit: h.unary('GetCommit', async (request: v1.GetCommitRequest__Output): Promise<v1.Commit> => {
      const height = heightOf(request.height, 'height');
      const stored = height > 0 ? await chain.storedBlock(height) : undefined;
      if (!stored) throw notFound('commit', String(height), 'height');
      return stored.commit as v1.Commit;
    }),

    QueryState: h.unary('QueryState', async (request: v1.QueryStateRequest__Output): Promise<v1.QueryStateResponse> => {
      if (request.path.length === 0 || request.path.length > 512) throw invalidArgument('path', 'must be 1-512 characters', 'bad_path');
      if (request.height !== 0 && request.height !== chain.tip.height) throw failedPrecondition(`only the latest state (height ${chain.tip.height}) is kept`, 'height_pruned', 'height');
      if (request.limit > MAX_STATE_PAGE) throw invalidArgument('limit', `is at most ${MAX_STATE_PAGE}`, 'too_large');
      if (chain.state.isList(request.path)) {
        const page = chain.state.page(request.path, request.after, request.limit || DEFAULT_STATE_PAGE);
        return { height: chain.tip.height, appHash: Buffer.from(chain.tip.appHash), json: canonicalJson(page.records), nextAfter: page.nextAfter };
      }
      if (request.after !== '' || request.limit !== 0) throw invalidArgument(request.after !== '' ? 'after' : 'limit', 'pages only the lists "jobs" and "members"', 'not_a_list');
      try {
        const json = canonicalJson(await chain.query(request.path));
        // The tip as of the answer: a round's record read from the store may be newer than the tip when the call came.
        return { height: chain.tip.height, appHash: Buffer.from(chain.tip.appHash), json };
      } catch (error) {
        if (error instanceof UnknownPathError) throw notFound('state', request.path, 'path');
        throw error;
      }
    }),

    Status: h.unary('Status', async (): Promise<v1.StatusResponse> => ({
      chainId: genesis.chainId,
      address: options.address,
      latestHeight: chain.persistedTip.height,
      latestBlockHash: Buffer.from(chain.persistedTip.hash),
      latestAppHash: Buffer.from(chain.persistedTip.appHash),
      latestBlockTimeMs: chain.persistedTip.timeMs,
      catchingUp: options.network().syncing,
      validators: { validators: ledgerValidators(chain.state).map((v) => ({ address: v.address, publicKey: Buffer.from(v.publicKey), power: v.power })) },
      mempoolSize: mempool.size,
    })),

    WatchBlocks: h.serverStream('WatchBlocks', (request: v1.WatchBlocksRequest__Output, call, signal) =>
      watchBlocks<StreamedBlock>(
        {
          get persistedHeight() {
            return chain.persistedHeight;
          },
          storedBlock: async (height) => {
            const stored = await chain.storedBlock(height);
            return stored && { height, response: blockResponse(stored) };
          },
          onBlock: (listener) => chain.onBlock((b) => listener({ height: b.height, response: committedResponse(b) })),
        },
        request.fromHeight,
        (b) => writeMessage(call, b.response),
        signal,
      ),
    ),
  };
}

