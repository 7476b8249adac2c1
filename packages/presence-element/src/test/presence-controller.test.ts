// PresenceController alone: no element, a plain host implementing ReactiveControllerHost, against
// the real middleware and realtime server (test-support/whatsup-server.mjs). Two people in one page
// are two controllers on the two mounts of the identify router, each with its own path-scoped cookie.
import { expect, waitUntil as openWcWaitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { PresenceController } from '../controller.js';
import type { Member } from '../types.js';

const GUEST_AUTH = '/whatsup/usersystem/auth';
const GUEST_CHANNEL = 'presence-whatsup-members';
const IDENTIFIED_CHANNEL = 'presence-whatsup-identified';
const MOUNTS = ['/whatsup-id', '/whatsup-id-other'] as const;

/** A host without Lit: what ReactiveControllerHost asks for, and an EventTarget for the events. */
class PlainHost extends EventTarget implements ReactiveControllerHost {
  readonly controllers = new Set<ReactiveController>();
  readonly events: Event[] = [];
  updates = 0;

  addController(controller: ReactiveController): void {
    this.controllers.add(controller);
  }
  removeController(controller: ReactiveController): void {
    this.controllers.delete(controller);
  }
  requestUpdate(): void {
    this.updates++;
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
  override dispatchEvent(event: Event): boolean {
    this.events.push(event);
    return super.dispatchEvent(event);
  }
  /** What a Lit element does when it enters and leaves the document. */
  attach(): void {
    this.controllers.forEach((c) => c.hostConnected?.());
  }
  detach(): void {
    this.controllers.forEach((c) => c.hostDisconnected?.());
  }
  /** The `detail` of every event of this type so far. */
  details<T>(type: string): T[] {
    return this.events.filter((e) => e.type === type).map((e) => (e as CustomEvent<T>).detail);
  }
}

describe('PresenceController (no element)', () => {
  const hosts: PlainHost[] = [];
  const people: string[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) host.detach();
    for (const id of people.splice(0)) await executeServerCommand('whatsup-person-leave', { id });
    await executeServerCommand('whatsup-people-forget');
  });

  function controller(authEndpoint: string, channel: string): PresenceController {
    const host = new PlainHost();
    hosts.push(host);
    return new PresenceController(host, () => ({ authEndpoint, channel, leaveGrace: 0 }));
  }
  const hostOf = (c: PresenceController) => c.host as PlainHost;

  describe('when a guest signs up', () => {
    beforeEach(() => post('/whatsup/logout', {}));

    it('should start signed out, sign in through register(), list who is there, and sign out', async () => {
      const bo = (await executeServerCommand('whatsup-person', {
        name: 'Bo',
        status: 'here first',
      })) as Member;
      people.push(bo.id);
      const presence = controller(GUEST_AUTH, GUEST_CHANNEL);
      const host = hostOf(presence);
      host.attach();
      await presence.ready;
      expect([presence.state, presence.me, presence.count]).to.deep.equal(['signed-out', null, 0]);

      const name = unique('Cy');
      expect(await presence.register(name, 'just joined')).to.equal(null);
      expect(presence.state).to.equal('signed-in');
      await presence.ready;
      expect(presence.me).to.include({ name, status: 'just joined' });
      expect(presence.others.map((m) => [m.name, m.status])).to.deep.include(['Bo', 'here first']);
      expect(presence.count).to.equal(presence.others.length + 1);
      await waitUntil(() => presence.connectionState === 'connected', 'connected');
      expect(host.details<{ user: Member }>('whatsup-signed-in').map((d) => d.user.name)).to.deep.equal([
        name,
      ]);
      expect(host.updates, 'asks its host to render').to.be.greaterThan(0);
      const myId = presence.me!.id;
      await waitUntil(async () => (await view(bo.id)).ids.includes(myId), 'Bo sees me join');

      await presence.signOut();
      expect([presence.state, presence.me, presence.others]).to.deep.equal(['signed-out', null, []]);
      expect(presence.connectionState).to.equal('disconnected');
      expect(host.details<{ reason: string }>('whatsup-signed-out')).to.deep.equal([{ reason: 'user' }]);
      await waitUntil(async () => !(await view(bo.id)).ids.includes(myId), 'Bo sees me leave');
    });

    it('should answer a refused sign-up with the field it is about, and stay signed out', async () => {
      const presence = controller(GUEST_AUTH, GUEST_CHANNEL);
      hostOf(presence).attach();
      await presence.ready;
      const refused = await presence.register('   ', 'no name');
      expect(refused).to.include({ status: 400, code: 'name.required', field: 'username' });
      expect(presence.state).to.equal('signed-out');
      expect(
        hostOf(presence)
          .details<{ code: string }>('whatsup-error')
          .map((d) => d.code),
      ).to.deep.equal(['name.required']);
    });
  });

  describe('with two people, one controller each (identify mode)', () => {
    const ids = [unique('ada'), unique('bo')];
    const names = ['Ada', 'Bo'];
    beforeEach(() => {
      MOUNTS.forEach((mount, i) => {
        document.cookie = `whatsup-test-user=${ids[i]}~${names[i]}; path=${mount}/`;
      });
    });
    afterEach(() => {
      for (const mount of MOUNTS) document.cookie = `whatsup-test-user=; max-age=0; path=${mount}/`;
    });

    /** Both signed in and each listing the other. */
    async function pair(): Promise<[PresenceController, PresenceController]> {
      const [ada, bo] = MOUNTS.map((mount) => controller(`${mount}/usersystem/auth`, IDENTIFIED_CHANNEL)) as [
        PresenceController,
        PresenceController,
      ];
      hostOf(ada).attach();
      await ada.ready;
      hostOf(bo).attach();
      await bo.ready;
      await waitUntil(() => ada.others.some((m) => m.id === bo.me?.id), 'Ada lists Bo');
      await waitUntil(() => bo.others.some((m) => m.id === ada.me?.id), 'Bo lists Ada');
      return [ada, bo];
    }
    const seenBy = (viewer: PresenceController, person: PresenceController) =>
      viewer.others.find((m) => m.id === person.me?.id);

    it('should be signed in by the site, and see the other join', async () => {
      const [ada, bo] = await pair();
      expect([ada.state, ada.mode, ada.me?.name, bo.me?.name]).to.deep.equal([
        'signed-in',
        'identify',
        'Ada',
        'Bo',
      ]);
      expect(
        hostOf(ada)
          .details<{ member: Member }>('whatsup-member-joined')
          .map((d) => d.member.id),
      ).to.include(bo.me!.id);
      expect([ada.count, bo.count]).to.deep.equal([ada.others.length + 1, bo.others.length + 1]);
    });

    it("should show one person's status change to the other", async () => {
      const [ada, bo] = await pair();
      expect(await ada.setStatus({ text: 'in a meeting', emoji: '📅' })).to.equal(true);
      await waitUntil(() => seenBy(bo, ada)?.status === 'in a meeting', 'Bo sees the new status');
      expect(seenBy(bo, ada)).to.include({ status: 'in a meeting', emoji: '📅' });
      const changes = hostOf(bo).details<{ member: Member; previous: string }>('whatsup-status-changed');
      expect(changes.map((d) => [d.member.id, d.member.status])).to.deep.include([
        ada.me!.id,
        'in a meeting',
      ]);
      expect(hostOf(bo).events.some((e) => e.type === 'whatsup-error')).to.equal(false);
    });

    it('should see the other leave at once when they sign out', async () => {
      const [ada, bo] = await pair();
      const boId = bo.me!.id;
      await bo.signOut();
      // The site still says who Bo is: signed out here means "sign in on the site".
      expect(bo.state).to.equal('identify-required');
      await waitUntil(() => !ada.others.some((m) => m.id === boId), 'Bo gone from Ada’s list');
      expect(
        hostOf(ada)
          .details<{ member: Member }>('whatsup-member-left')
          .map((d) => d.member.id),
      ).to.include(boId);
    });

    it('should reconnect after the server drops every connection, and be current again', async () => {
      const [ada, bo] = await pair();
      const states = () =>
        hostOf(ada)
          .details<{ current: string }>('whatsup-connection-change')
          .map((d) => d.current);
      const before = states().length;
      await executeServerCommand('whatsup-drop-all');
      // While Ada is away (pusher-js waits a second after "over capacity"), Bo changes his status.
      expect(await bo.setStatus('changed while you were away')).to.equal(true);
      await waitUntil(
        () => states().length - before >= 2 && states().at(-1) === 'connected',
        `dropped, then connected again: ${states().slice(before).join(' → ')}`,
        { timeout: 10000 },
      );
      expect(ada.everConnected).to.equal(true);
      await waitUntil(
        () => seenBy(ada, bo)?.status === 'changed while you were away',
        'Ada has the status Bo set while she was away',
      );
      expect([ada.state, ada.error]).to.deep.equal(['signed-in', '']);
    });

    it('should stop when its host goes, and start again when it comes back', async () => {
      const [ada, bo] = await pair();
      hostOf(ada).detach();
      expect(ada.connectionState).to.equal('disconnected');
      expect(await bo.setStatus('set while Ada was gone')).to.equal(true);
      hostOf(ada).attach();
      // connect() starts on the next microtask; `ready` is that attempt's from then on.
      await waitUntil(() => ada.state === 'signed-in', 'signed in again');
      await ada.ready;
      expect(ada.me?.name).to.equal('Ada');
      expect(seenBy(ada, bo)?.status).to.equal('set while Ada was gone');
      await waitUntil(() => ada.connectionState === 'connected', 'connected again');
    });
  });
});

// ---- helpers ----

function unique(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 7)}`;
}

async function post(path: string, body: unknown): Promise<void> {
  await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** What a server-side person (a real pusher-js client) sees: the channel's member ids. */
function view(id: string): Promise<{ ids: string[] }> {
  return executeServerCommand('whatsup-person-view', { id }) as Promise<{ ids: string[] }>;
}

/** waitUntil with room for real network round trips (open-wc's default is 1 s). */
function waitUntil(
  predicate: () => unknown | Promise<unknown>,
  message?: string,
  options: { timeout?: number } = {},
): Promise<void> {
  return openWcWaitUntil(predicate, message, { interval: 30, timeout: options.timeout ?? 5000 });
}
