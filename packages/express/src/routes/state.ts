// What a signed-in person changes about themselves: POST /status, /availability, /activity.
import type { Router } from 'express';
import { WhatsupError } from '../errors.js';
import { publicRecord } from '../records.js';
import { onlyFields, parseActivity, parseAvailability, parseUtcOffset } from '../rich-status.js';
import { objectBody, personOf, wrap, type Kit, type Preambles } from './preamble.js';

export function stateRoutes(router: Router, kit: Kit, pre: Preambles): void {
  const { identity, statuses } = kit;

  router.post(
    '/status',
    ...pre.change,
    wrap(async (req, res) => {
      const user = personOf(res);
      const body = objectBody(req.body);
      // Clearing is explicit ({"status": ""}): a missing body or {} must not wipe anything.
      if (!Object.hasOwn(body, 'status')) {
        throw new WhatsupError(400, 'status.required', 'Send {"status": "…"}; {"status": ""} clears it.', {
          field: 'status',
        });
      }
      onlyFields(body, ['status', 'emoji', 'clearAfter', 'utcOffset'], 'POST /status');
      const status = statuses.clean({ text: body.status, emoji: body.emoji, clearAfter: body.clearAfter });
      const utcOffset = parseUtcOffset(body.utcOffset);
      const record = await statuses.setStatus(
        user,
        status,
        utcOffset,
        'user',
        identity.channelsOf(req, user),
      );
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.post(
    '/availability',
    ...pre.change,
    wrap(async (req, res) => {
      const user = personOf(res);
      const body = objectBody(req.body);
      onlyFields(body, ['availability'], 'POST /availability');
      const availability = parseAvailability(body.availability);
      const record = await statuses.setAvailability(user, availability, identity.channelsOf(req, user));
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );

  router.post(
    '/activity',
    ...pre.activity,
    wrap(async (req, res) => {
      const user = personOf(res);
      const body = objectBody(req.body);
      onlyFields(body, ['activity'], 'POST /activity');
      const { outcome, user: record } = await statuses.reportActivity(user, parseActivity(body.activity));
      if (outcome === 'deferred') {
        res.status(202).json({ success: true, error: false, deferred: true });
        return;
      }
      res.json({ success: true, error: false, user: publicRecord(record) });
    }),
  );
}
