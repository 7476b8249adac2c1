// GET /members: the latest stored status of everyone in the channels the caller may see.
import { HIDDEN_PREFIX, isChannelName, type MembersAnswer } from '@whatsup/protocol';
import type { Request, Router } from 'express';
import { WhatsupError } from '../errors.js';
import { publicRecord, seenByOthers } from '../records.js';
import { withoutExpired } from '../rich-status.js';
import { followChannel } from '../services/broadcast.js';
import type { MemberRecord } from '../status-store.js';
import { shown, wrap, type Kit } from './preamble.js';

/** How long an invisible person reads as "left" to others when the store does not say (its leftTtl). */
const LEFT_TTL_MS = 60 * 60 * 1000;

export function membersRoute(router: Router, kit: Kit): void {
  router.get(
    '/members',
    wrap(async (req, res) => {
      const user = await kit.identity.require(req, false);
      const asked = req.query.channel;
      const answer = await membersFor(kit, req, user, asked);
      if (req.query.online === '1' && typeof asked === 'string') {
        const online = await onlineIn(kit, asked);
        if (online) answer.online = online;
      }
      res.json(answer);
    }),
  );
}

/**
 * The ids in the channel as the realtime server has them now (`?online=1`, and GET /bootstrap):
 * who is here, where a record without `lastSeen` may be someone who never connected. Undefined when
 * the publisher cannot say (no `channelUsers`), the realtime server did not answer, or there are
 * more than the member cap: the panel goes by the records then.
 */
export async function onlineIn(kit: Kit, channel: string): Promise<string[] | undefined> {
  const { publisher, limits } = kit.settings;
  if (!publisher.channelUsers) return undefined;
  try {
    const online = (await publisher.channelUsers(channel)).filter((id) => !id.startsWith(HIDDEN_PREFIX));
    // Past the member cap a partial list would read as people missing: none then.
    return online.length <= limits.members ? online : undefined;
  } catch {
    return undefined;
  }
}

/** `?channel=` as given: a channel name, or undefined for the session's channels; else 400. */
export function askedChannel(asked: unknown): string | undefined {
  if (asked === undefined || isChannelName(asked)) return asked;
  throw new WhatsupError(400, 'channel_name.invalid', `Invalid channel name: '${shown(asked)}'`);
}

/**
 * What GET /members answers `user`: everyone in `asked` (or the session's channels when
 * undefined) as they see them; 400 for an invalid channel name, 403 for one they may not see.
 */
export async function membersFor(
  kit: Kit,
  req: Request,
  user: MemberRecord,
  asked: unknown,
): Promise<MembersAnswer> {
  const { settings, identity } = kit;
  const { store, channels: allowed, limits } = settings;
  const channel = askedChannel(asked);
  const channels = channel === undefined ? identity.sessionChannels(req) : [channel];
  const visible = new Set(channels.filter((c) => allowed.test(c, user, req)));
  if (channel !== undefined && visible.size === 0) {
    throw new WhatsupError(403, 'channel.forbidden', `You may not see '${shown(channel)}'.`);
  }
  const now = Date.now();
  const leftTtlMs = store.leftTtlMs ?? LEFT_TTL_MS;
  const shownRecords: MemberRecord[] = [];
  for (const record of await store.list()) {
    if (!identity.recordChannels(record).some((c) => visible.has(c))) continue;
    // Invisible people see themselves; to everyone else they left when they turned invisible.
    const seen =
      record.id === user.id
        ? publicRecord(withoutExpired(record, now))
        : seenByOthers(record, now, leftTtlMs);
    if (seen) shownRecords.push(seen);
  }
  // Latest news first (a change, or a leave), so the cap drops the people least likely to be online.
  shownRecords.sort((a, b) => latest(b) - latest(a));
  const members = shownRecords.slice(0, limits.members);
  const answer: MembersAnswer = { success: true, error: false, members };
  if (shownRecords.length > members.length)
    Object.assign(answer, { truncated: true, total: shownRecords.length });
  if (user.availability === 'invisible') {
    answer.follow = Object.fromEntries([...visible].map((c) => [c, followChannel(c, user.id)]));
  }
  return answer;
}

function latest(record: MemberRecord): number {
  return Math.max(record.updatedAt, record.lastSeen ?? 0);
}
