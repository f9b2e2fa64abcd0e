/**
 * The Validator gRPC contract as the trainer's JobSource: QueryState("jobs/ID")
 * answers the ledger's JSON, read by parseTrainingJob. Several validators may
 * be given; a call tries them in turn while they are unreachable.
 */
import { status as Status, type ServiceError } from '@grpc/grpc-js';

import { createClient, unary } from '@learnchain/core';
import { contracts } from '@learnchain/proto';

import { parseTrainingJob, type TrainingJob } from '../job';
import type { JobSource } from '../ports';

type ValidatorClient = InstanceType<ReturnType<typeof contracts>['validator']>;

export class ValidatorJobSource implements JobSource {
  private readonly clients: ValidatorClient[];
  private next = 0;
  private readonly known = new Map<string, TrainingJob>();

  constructor(addresses: readonly string[]) {
    this.clients = addresses.map((address) => createClient(contracts().validator, address));
  }

  async job(jobId: string, signal?: AbortSignal): Promise<TrainingJob | undefined> {
    // A committed job never changes: ask the chain once.
    const known = this.known.get(jobId);
    if (known) return known;
    const job = await this.query(jobId, signal);
    if (job) this.known.set(jobId, job);
    return job;
  }

  private async query(jobId: string, signal?: AbortSignal): Promise<TrainingJob | undefined> {
    let last: unknown = new Error('no validator address configured');
    for (let i = 0; i < this.clients.length; i++) {
      const index = (this.next + i) % this.clients.length;
      const client = this.clients[index] as ValidatorClient;
      try {
        const answer = await unary(client, 'queryState', { path: `jobs/${jobId}`, height: 0 }, { deadlineMs: 10_000, ...(signal ? { signal } : {}) });
        this.next = index;
        if (!answer.json || answer.json === 'null') return undefined;
        return parseTrainingJob(jobId, answer.json);
      } catch (error) {
        const code = (error as Partial<ServiceError>).code;
        if (code === Status.NOT_FOUND) return undefined;
        if (code !== Status.UNAVAILABLE && code !== Status.DEADLINE_EXCEEDED) throw error;
        last = error;
      }
    }
    throw last;
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}
