/**
 * The Registry gRPC contract as the aggregator's MembershipSource. List(role
 * trainer, status active), every page, at one epoch; and, while `follow`
 * runs, a view kept from the registry's Watch stream, so that opening a
 * round asks the registry nothing. Until the view is in step, and whenever
 * the stream breaks, a round asks List.
 */
import { setTimeout as delay } from 'node:timers/promises';

import { createClient, serverStream, unary, type Logger } from '@learnchain/core';
import { listMembers } from '@learnchain/membership';
import { contracts, type v1 } from '@learnchain/proto';

import type { Participant } from '../domain/participants';
import { applyChange, trainersOf, viewFrom, type MemberChange, type TrainerView } from '../domain/trainer-view';
import type { MembershipSource } from '../ports';

/** Members a List page may hold (the registry's most). */
const LIST_PAGE = 5000;

export interface FollowOptions {
  /** Wait before listing again after the stream broke (ms). */
  readonly retryMs?: number;
  /**
   * How often the view is listed afresh (ms), the stream opened again from
   * there: bounds how stale a stream that stalls without breaking leaves it.
   */
  readonly resyncMs?: number;
}

function memberChange(change: v1.MembershipChange__Output): MemberChange {
  const member = change.member;
  return {
    epoch: Number(change.epoch),
    nodeId: member?.nodeId ?? '',
    publicKey: new Uint8Array(member?.publicKey ?? []),
    activeTrainer: member?.role === 'ROLE_TRAINER' && member.status === 'MEMBER_STATUS_ACTIVE',
  };
}

export class RegistryMembership implements MembershipSource {
  private readonly client: InstanceType<ReturnType<typeof contracts>['registry']>;
  private view: TrainerView | undefined;

  constructor(address: string) {
    this.client = createClient(contracts().registry, address);
  }

  async activeTrainers(signal?: AbortSignal): Promise<{ epoch: number; trainers: Participant[] }> {
    const view = this.view;
    if (view) return { epoch: view.epoch, trainers: trainersOf(view) };
    return this.list(signal);
  }

  /** Whether rounds open on the followed view (else they ask List). */
  inStep(): boolean {
    return this.view !== undefined;
  }

  private async list(signal?: AbortSignal): Promise<{ epoch: number; trainers: Participant[] }> {
    // The largest pages: the fewer pages, the less room for a change of membership between them.
    const answer = await listMembers((page) => unary(this.client, 'list', page, signal ? { signal } : {}), { role: 'ROLE_TRAINER', status: 'MEMBER_STATUS_ACTIVE' }, { limit: LIST_PAGE });
    return { epoch: answer.epoch, trainers: answer.members.map((m) => ({ nodeId: m.nodeId, publicKey: new Uint8Array(m.publicKey) })) };
  }

  /** Keeps the view in step with the registry until `signal` aborts; never throws. */
  async follow(signal: AbortSignal, logger: Logger, options: FollowOptions = {}): Promise<void> {
    const retryMs = options.retryMs ?? 1_000;
    const resyncMs = options.resyncMs ?? 60_000;
    while (!signal.aborted) {
      const period = AbortSignal.any([signal, AbortSignal.timeout(resyncMs)]);
      try {
        const listed = await this.list(period);
        let view = viewFrom(listed.epoch, listed.trainers);
        this.view = view;
        for await (const change of serverStream(this.client, 'watch', { fromEpoch: view.epoch }, { signal: period })) {
          const next = applyChange(view, memberChange(change));
          if (next === 'gap') throw new Error(`membership changes missed: epoch ${change.epoch} came after ${view.epoch}`);
          this.view = view = next;
        }
        logger.warn('the registry ended its membership stream: rounds ask it for their trainers until the stream is back');
      } catch (error) {
        // Time to list afresh: the view stands meanwhile.
        if (period.aborted && !signal.aborted) continue;
        if (!signal.aborted) logger.warn({ err: error }, 'membership stream broke: rounds ask the registry for their trainers until it is back');
      }
      this.view = undefined;
      await delay(retryMs, undefined, { signal }).catch(() => undefined);
    }
  }

  close(): void {
    this.client.close();
  }
}
