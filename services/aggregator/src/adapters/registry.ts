/** The Registry gRPC contract as the aggregator's MembershipSource: List(role trainer, status active), every page, at one epoch. */
import { createClient, unary } from '@learnchain/core';
import { listMembers } from '@learnchain/membership';
import { contracts } from '@learnchain/proto';

import type { Participant } from '../domain/participants';
import type { MembershipSource } from '../ports';

/** Members a List page may hold (the registry's most). */
const LIST_PAGE = 5000;

export class RegistryMembership implements MembershipSource {
  private readonly client: InstanceType<ReturnType<typeof contracts>['registry']>;

  constructor(address: string) {
    this.client = createClient(contracts().registry, address);
  }

  async activeTrainers(signal?: AbortSignal): Promise<{ epoch: number; trainers: Participant[] }> {
    // The largest pages: the fewer pages, the less room for a change of membership between them.
    const answer = await listMembers((page) => unary(this.client, 'list', page, signal ? { signal } : {}), { role: 'ROLE_TRAINER', status: 'MEMBER_STATUS_ACTIVE' }, { limit: LIST_PAGE });
    return { epoch: answer.epoch, trainers: answer.members.map((m) => ({ nodeId: m.nodeId, publicKey: new Uint8Array(m.publicKey) })) };
  }

  close(): void {
    this.client.close();
  }
}
