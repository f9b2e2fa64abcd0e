/** `learnchain members`: the registry's members at the current epoch, filtered by role and status (every page of them). */
import { listMembers } from '@learnchain/membership';
import type { v1 } from '@learnchain/proto';

import { parseArgs, UsageError, type Command, type Output } from '../command';
import { checkFlags, choiceFlag, serviceAddress, wantsJson } from '../client/flags';
import { RegistryApi, using } from '../client/services';
import { MEMBER_STATUSES, memberLines, membersView, ROLES } from '../client/views';

export const membersCommand: Command = {
  path: ['members'],
  summary: "the registry's members: node id, role, status, joined epoch, device",
  usage: 'learnchain members [--registry HOST:PORT] [--role trainer|aggregator|validator] [--status active|left|failed] [--json]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags, rest } = parseArgs(args);
    checkFlags(flags, ['registry', 'role', 'status', 'json']);
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const request: v1.ListMembersRequest = {};
    if (flags.has('role')) request.role = `ROLE_${choiceFlag(flags, 'role', ROLES, 'trainer').toUpperCase()}` as v1.Role;
    if (flags.has('status')) request.status = `MEMBER_STATUS_${choiceFlag(flags, 'status', MEMBER_STATUSES, 'active').toUpperCase()}` as v1.MemberStatus;
    const view = membersView(await using(new RegistryApi(serviceAddress(flags, 'registry')), (api) => listMembers((page) => api.list(page), request)));
    if (wantsJson(flags)) out.info(JSON.stringify(view));
    else memberLines(view).forEach((line) => out.info(line));
    return 0;
  },
};
