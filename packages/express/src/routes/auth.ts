// POST /usersystem/auth: pusher-js asks for it on every subscription (form or JSON body).
import {
  channelKind,
  isChannelName,
  isFollowChannel,
  isSocketId,
  type PresenceInfo,
} from '@whatsup/protocol';
import type { Request, RequestHandler, Router } from 'express';
import { WhatsupError } from '../errors.js';
import { formParser, jsonParser, readBody } from '../read-body.js';
import { presenceInfo } from '../records.js';
import { followChannel } from '../services/broadcast.js';
import type { MemberRecord } from '../status-store.js';
import { objectBody, shown, wrap, type Kit, type Preambles } from './preamble.js';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export function authRoute(router: Router, kit: Kit, pre: Preambles): void {
  const { settings, identity } = kit;
  const { publisher, channels, index } = settings;
  router.post(
    '/usersystem/auth',
    pre.bound,
    pre.sameSite,
    formOrJson(kit),
    wrap(async (req, res) => {
      const body = objectBody(req.body);
      const socketId = body.socket_id;
      const channel = body.channel_name;
      if (!isSocketId(socketId)) {
        throw new WhatsupError(400, 'socket_id.invalid', `Invalid socket id: '${shown(socketId)}'`);
      }
      if (!isChannelName(channel)) {
        throw new WhatsupError(400, 'channel_name.invalid', `Invalid channel name: '${shown(channel)}'`);
      }
      const kind = channelKind(channel);
      if (kind !== 'presence' && kind !== 'private') {
        throw new WhatsupError(
          400,
          'channel_name.public',
          `'${channel}' is a public channel: it needs no authorization.`,
        );
      }
      const user = await identity.require(req);
      if (isFollowChannel(channel)) {
        // Someone's own follow channel: only its person, only while invisible, only for a channel they may join.
        const followed = followedBy(req, user, channel);
        if (followed === undefined || user.availability !== 'invisible') {
          throw new WhatsupError(403, 'channel.forbidden', `You may not join '${channel}'.`);
        }
        const auth = publisher.authorizeChannel(socketId, channel, { user_id: user.id, user_info: {} });
        await index.addInvisible(followed, user.id);
        await identity.joined(req, user, followed);
        res.json(auth);
        return;
      }
      if (!channels.test(channel, user, req)) {
        throw new WhatsupError(403, 'channel.forbidden', `You may not join '${channel}'.`);
      }
      let auth: { auth: string; channel_data?: string };
      if (kind === 'private') auth = publisher.authorizeChannel(socketId, channel);
      else if (user.availability === 'invisible') {
        throw new WhatsupError(
          409,
          'member.invisible',
          `You are invisible: follow '${channel}' through the channel GET /members names in "follow".`,
        );
      } else {
        const info: PresenceInfo = presenceInfo(user, settings.limits);
        auth = publisher.authorizeChannel(socketId, channel, {
          user_id: user.id,
          user_info: info as unknown as Record<string, unknown>,
        });
      }
      await identity.joined(req, user, channel);
      res.json(auth);
    }),
  );

  /** The presence channel whose follow channel this is, among those the person may join. */
  function followedBy(req: Request, user: MemberRecord, follow: string): string | undefined {
    const candidates = new Set([
      ...identity.channelsOf(req, user),
      ...(channels.list ?? []),
      settings.defaultChannel,
    ]);
    for (const channel of candidates) {
      if (followChannel(channel, user.id) === follow && channels.test(channel, user, req)) return channel;
    }
    return undefined;
  }
}

/** A form (what pusher-js sends) or JSON (what the element sends); only the parser for the type given runs. */
function formOrJson(kit: Kit): RequestHandler {
  const { bodyBytes, limits } = kit.settings;
  const form = readBody(formParser(bodyBytes), bodyBytes, limits.bodyTimeoutMs);
  const json = readBody(jsonParser(bodyBytes), bodyBytes, limits.bodyTimeoutMs);
  return (req, res, next) => {
    if (req.headers['content-length'] === '0') return next();
    const type = req.is([FORM, JSON_TYPE]);
    if (type === false) {
      return next(
        new WhatsupError(
          415,
          'body.unsupported_type',
          'Send socket_id and channel_name as a form (what pusher-js sends) or as JSON.',
        ),
      );
    }
    if (type === null) return next();
    (type === JSON_TYPE ? json : form)(req, res, next);
  };
}
