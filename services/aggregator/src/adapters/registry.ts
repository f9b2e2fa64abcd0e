/** The Registry gRPC contract as the aggregator's MembershipSource: List(role trainer, status active). */
import { createClient, unary } from '@learnchain/core';
import { contracts } from '@learnchain/proto';

import type { Participant } from '../domain/participants';
import type { MembershipSource } from '../ports';

export class RegistryMembership implements MembershipSource {
  private readonly client: InstanceType<ReturnType<typeof contracts>['registry']>;

  constructor(address: string) {
    this.client = createClient(contracts().registry, address);
  }

  async activeTrainers(signal?: AbortSignal): Promise<{ epoch: number; trainers: Participant[] }> {
    const answer = await unary(this.client, 'list', { role: 'ROLE_TRAINER', status: 'MEMBER_STATUS_ACTIVE' }, signal ? { signal } : {});
    return { epoch: answer.epoch, trainers: answer.members.map((m) => ({ nodeId: m.nodeId, publicKey: new Uint8Array(m.publicKey) })) };
  }

  close(): void {
    this.client.close();
  }
}
