// Known-answer tests: the vectors of PUSHER-PROTOCOL.md §2.5 (Pusher's docs, recomputed), checked
// against our signing code and against the real pusher library, so both agree on every byte.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import PusherServer from 'pusher';
import { parseQuery, verifyApiRequest, verifyBody } from '../api-auth.js';
import { resolveOptions } from '../options.js';
import {
  apiStringToSign,
  authorizeChannel,
  md5,
  sign,
  verifyChannelAuth,
  verifyUserAuth,
} from '../signatures.js';

const KEY = '278d425bdf160c739803';
const SECRET = '7ad3773142a6692b25b8';
const SOCKET = '1234.1234';

describe('signatures', () => {
  describe('when a private channel is authorized', () => {
    it('should match the documented vector and the pusher library', () => {
      const expected = `${KEY}:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4`;
      assert.deepEqual(authorizeChannel(KEY, SECRET, SOCKET, 'private-foobar'), { auth: expected });
      assert.deepEqual(library().authorizeChannel(SOCKET, 'private-foobar'), { auth: expected });
      assert.equal(verifyChannelAuth(KEY, SECRET, expected, SOCKET, 'private-foobar'), true);
    });
  });

  describe('when a presence channel is authorized', () => {
    // the vector in Pusher's auth-signatures.md is for "Mr. Pusher"; this is the recomputed "Mr. Channels" one
    const presence = { user_id: 10 as unknown as string, user_info: { name: 'Mr. Channels' } };
    const expected = `${KEY}:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80`;

    it('should sign socket_id:channel:channel_data exactly as the pusher library does', () => {
      const ours = authorizeChannel(KEY, SECRET, SOCKET, 'presence-foobar', presence);
      assert.equal(ours.auth, expected);
      assert.equal(ours.channel_data, '{"user_id":10,"user_info":{"name":"Mr. Channels"}}');
      assert.deepEqual(library().authorizeChannel(SOCKET, 'presence-foobar', presence), ours);
    });

    it('should refuse the same signature over different channel_data, socket or channel', () => {
      const data = '{"user_id":10,"user_info":{"name":"Mr. Channels"}}';
      assert.equal(verifyChannelAuth(KEY, SECRET, expected, SOCKET, 'presence-foobar', data), true);
      assert.equal(
        verifyChannelAuth(KEY, SECRET, expected, SOCKET, 'presence-foobar', data.replace('10', '11')),
        false,
      );
      assert.equal(verifyChannelAuth(KEY, SECRET, expected, '1234.1235', 'presence-foobar', data), false);
      assert.equal(verifyChannelAuth(KEY, SECRET, expected, SOCKET, 'presence-foobaz', data), false);
      assert.equal(
        verifyChannelAuth(KEY, SECRET, expected.toUpperCase(), SOCKET, 'presence-foobar', data),
        false,
      );
      assert.equal(
        verifyChannelAuth(KEY, SECRET, { auth: expected }, SOCKET, 'presence-foobar', data),
        false,
      );
      assert.equal(
        verifyChannelAuth(KEY, SECRET, expected.slice(0, -1), SOCKET, 'presence-foobar', data),
        false,
      );
    });
  });

  describe('when a user signs in', () => {
    it('should match the documented user-authentication vector', () => {
      const expected = `${KEY}:4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba`;
      assert.equal(library().authenticateUser(SOCKET, { id: '12345' }).auth, expected);
      assert.equal(verifyUserAuth(KEY, SECRET, expected, SOCKET, '{"id":"12345"}'), true);
      assert.equal(verifyUserAuth(KEY, SECRET, expected, SOCKET, '{"id":"12346"}'), false);
    });
  });

  describe('when an HTTP API request is signed', () => {
    const body = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
    const query =
      'auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f';
    const signature = 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c';
    const options = resolveOptions({ appId: '3', key: KEY, secret: SECRET });
    const at = 1353088179 * 1000;

    it('should match the documented body_md5 and signature', () => {
      assert.equal(md5(body), 'ec365a775a4cd0599faeb73354201b6f');
      const params = parseQuery(`${query}&auth_signature=${signature}`);
      assert.equal(apiStringToSign('post', '/apps/3/events', params), `POST\n/apps/3/events\n${query}`);
      assert.equal(sign(SECRET, `POST\n/apps/3/events\n${query}`), signature);
      assert.doesNotThrow(() => verifyApiRequest(options, 'POST', ['/apps/3/events'], params, at));
      assert.doesNotThrow(() => verifyBody(params, Buffer.from(body)));
    });

    it('should refuse a changed body, path, method, stale timestamp or repeated parameter', () => {
      const params = parseQuery(`${query}&auth_signature=${signature}`);
      const refused = { status: 401, code: 'signature.invalid' };
      assert.throws(() => verifyBody(params, Buffer.from(`${body} `)), refused);
      assert.throws(() => verifyApiRequest(options, 'POST', ['/apps/4/events'], params, at), refused);
      assert.throws(() => verifyApiRequest(options, 'GET', ['/apps/3/events'], params, at), refused);
      assert.throws(
        () => verifyApiRequest(options, 'POST', ['/apps/3/events'], params, at + 601_000),
        /Timestamp expired/,
      );
      assert.doesNotThrow(() => verifyApiRequest(options, 'POST', ['/apps/3/events'], params, at - 599_000));
      assert.throws(() => parseQuery(`${query}&auth_key=x`), { status: 400, code: 'query.duplicate' });
    });
  });
});

function library(): PusherServer {
  return new PusherServer({ appId: '3', key: KEY, secret: SECRET, host: '127.0.0.1' });
}
