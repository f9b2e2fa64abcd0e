/** Reads reputations from a validator's ledger (QueryState "reputation/NODE"). */
import { status, type ServiceError } from '@grpc/grpc-js';

import { createClient, unary } from '@learnchain/core';
import { contracts } from '@learnchain/proto';

import type { ReputationSource } from './admission';

export function validatorReputation(address: string): ReputationSource {
  const client = createClient(contracts().validator, address);
  return async (nodeId) => {
    try {
      const answer = await unary(client, 'queryState', { path: `reputation/${nodeId}` }, { deadlineMs: 3000 });
      const parsed = JSON.parse(answer.json) as { score?: unknown };
      return typeof parsed.score === 'number' ? parsed.score : 0;
    } catch (error) {
      if ((error as Partial<ServiceError>).code === status.NOT_FOUND) return 0; // never credited
      throw error;
    }
  };
}
