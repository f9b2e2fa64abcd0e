/**
 * Every member a filter names, at one epoch, read from a registry's List a
 * page at a time: each later page names the first page's epoch, so that a
 * membership change between pages is refused (ABORTED, membership_changed)
 * rather than mixed in; the list then starts again, a little later each
 * time, at most `attempts` times.
 */
import { errorDetailOf } from '@learnchain/core';
import type { v1 } from '@learnchain/proto';

/** One List call. */
export type ListPage = (request: v1.ListMembersRequest) => Promise<v1.ListMembersResponse__Output>;

export interface MemberListing {
  readonly epoch: number;
  readonly members: v1.Member__Output[];
}

const ATTEMPTS = 5;
const RETRY_MS = 50;

export async function listMembers(
  page: ListPage,
  filter: Pick<v1.ListMembersRequest, 'role' | 'status'> = {},
  options: { readonly limit?: number; readonly attempts?: number } = {},
): Promise<MemberListing> {
  const sized = { ...filter, ...(options.limit ? { limit: options.limit } : {}) };
  for (let attempt = 1; ; attempt++) {
    try {
      const first = await page(sized);
      const members = [...first.members];
      for (let next = first.nextAfterNodeId; next; ) {
        const more = await page({ ...sized, afterNodeId: next, atEpoch: first.epoch });
        members.push(...more.members);
        next = more.nextAfterNodeId;
      }
      return { epoch: first.epoch, members };
    } catch (error) {
      if (attempt >= (options.attempts ?? ATTEMPTS) || errorDetailOf(error)?.reason !== 'membership_changed') throw error;
      // A burst of joins or lapses moves the epoch on: let it pass.
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS * attempt));
    }
  }
}
