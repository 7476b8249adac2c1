// Helpers for the chaos tests: the pieces of `npm run scale-out` each in a process group of its own
// (so a test can SIGKILL one by its id), people watching in real browsers, and the truth their
// lists are held against: who soketi has in the channel, with the statuses the app stored.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import Pusher from 'pusher';
import { Panel, type Row } from './panel.js';
import { root, waitFor } from './support.js';

export const CHANNEL = 'presence-whatsup-members';

/** A piece of the set-up running in its own process group (e2e/chaos-group.mjs). */
export interface Group {
  pid: number;
  output(): string;
  running(): boolean;
  /** SIGKILL to the whole group, by its id; resolves once the runner is gone. */
  kill(): Promise<void>;
  /** SIGTERM to the group (a graceful stop); SIGKILL after 5 s. */
  stop(): Promise<void>;
}

// Detached groups outlive this process unless killed: on any exit, kill what is left.
const groups = new Set<number>();
process.on('exit', () => {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export async function startGroup(kind: 'redis' | 'soketi' | 'instance' | 'demo', args: (string | number)[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, 'e2e', 'chaos-group.mjs'), kind, ...args.map(String)],
    { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  groups.add(child.pid!);
  child.on('exit', () => groups.delete(child.pid!));
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  await waitFor(
    () => /^ready$/m.test(output) || gone(),
    30_000,
    () => `${kind} ${args.join(' ')} did not start:\n${output}`,
  );
  if (gone()) throw new Error(`${kind} ${args.join(' ')} exited while starting:\n${output}`);
  const signalGroup = async (signal: NodeJS.Signals) => {
    if (gone()) return;
    const exited = once(child, 'exit');
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
    await exited;
  };
  return {
    pid: child.pid!,
    output: () => output,
    running: () => !gone(),
    kill: () => signalGroup('SIGKILL'),
    async stop() {
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await signalGroup('SIGTERM');
      clearTimeout(timer);
    },
  } satisfies Group;
}

/** What one page's WebSockets did: when each closed, and every `subscription_succeeded` on them. */
export class Sockets {
  readonly closed: number[] = [];
  readonly subscribed: number[] = [];

  constructor(page: Page) {
    page.on('websocket', (ws) => {
      ws.on('framereceived', ({ payload }) => {
        if (String(payload).includes('pusher_internal:subscription_succeeded'))
          this.subscribed.push(performance.now());
      });
      ws.on('close', () => this.closed.push(performance.now()));
    });
  }

  /** Whether a socket of this page closed after `t`. */
  droppedSince(t: number): boolean {
    return this.closed.some((c) => c >= t);
  }

  /** The first subscription that succeeded after `t`, or undefined. */
  subscribedAfter(t: number): number | undefined {
    return this.subscribed.find((s) => s >= t);
  }
}

/** One person watching: their browser context, page, panel, and its sockets. */
export interface Person {
  name: string;
  instance: number;
  page: Page;
  panel: Panel;
  sockets: Sockets;
  /** Every `whatsup-member-left` this page fired, by name. */
  leaves(): Promise<string[]>;
}

export async function openPerson(browser: Browser, name: string, instance: number, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    const left: string[] = [];
    (window as { chaosLeft?: string[] }).chaosLeft = left;
    document.addEventListener('whatsup-member-left', (e) =>
      left.push((e as CustomEvent<{ member: { name: string } }>).detail.member.name),
    );
  });
  const sockets = new Sockets(page);
  await page.goto(url);
  return {
    name,
    instance,
    page,
    panel: new Panel(page),
    sockets,
    leaves: () => page.evaluate(() => [...((window as { chaosLeft?: string[] }).chaosLeft ?? [])]),
  } satisfies Person;
}

/** soketi's own list of the channel's members (through the balancer, so every node is asked). */
export async function onlineIds(balancerPort: number): Promise<string[]> {
  const pusher = new Pusher({
    appId: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: String(balancerPort),
    useTLS: false,
  });
  const res = await pusher.get({ path: `/channels/${CHANNEL}/users` });
  if (res.status !== 200) throw new Error(`soketi answered ${res.status}: ${await res.text()}`);
  const { users } = (await res.json()) as { users: { id: string }[] };
  return users.map((u) => u.id);
}

interface Stored {
  members: { id: string; name: string; status: string }[];
  online?: string[];
}

/**
 * The statuses the app stored (GET /whatsup/members, asked from a signed-in page); with `online`,
 * also the ids the realtime server has in the channel, as the app asks it.
 */
export async function storedMembers(page: Page, online = false): Promise<Stored> {
  return page.evaluate(
    async ([channel, online]) => {
      const res = await fetch(`/whatsup/members?channel=${channel}${online ? '&online=1' : ''}`, {
        headers: { accept: 'application/json' },
      });
      if (!res.ok) throw new Error(`GET /whatsup/members answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Stored;
    },
    [CHANNEL, online] as const,
  );
}

export const sorted = (rows: Row[]): Row[] =>
  [...rows].map((r) => ({ name: r.name, status: r.status })).sort((a, b) => a.name.localeCompare(b.name));

const WAIT = 60_000;

/** Waits until `viewer` shows `name` with `status`. */
export function sees(viewer: Person, name: string, status: string): Promise<void> {
  return waitFor(
    async () => (await viewer.panel.rows()).some((r) => r.name === name && r.status === status),
    WAIT,
    () => `${viewer.name} sees ${name}: ${status}`,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}; shown: ${JSON.stringify(await viewer.panel.rows())}`);
  });
}

/** `who` changes their status through the panel; every other browser shows it. */
export async function changeSeenByOthers(people: Person[], who: Person, status: string): Promise<void> {
  await who.panel.editStatusByKeyboard(status);
  await Promise.all(people.filter((p) => p !== who).map((p) => sees(p, who.name, status)));
}

/**
 * Every page's list, names and statuses, equals the truth (`truth()`: who the realtime server has
 * in the channel, with the statuses the app stored), and that truth is everyone in `people`: nobody
 * was dropped, from a page or from the server.
 */
export async function listsAreTheTruth(people: Person[], truth: () => Promise<Row[]>, label: string) {
  const everyone = people
    .map((p) => p.name)
    .sort()
    .join();
  let last = '';
  await waitFor(
    async () => {
      try {
        const expected = sorted(await truth());
        const shown = await Promise.all(people.map(async (p) => sorted(await p.panel.rows())));
        last = JSON.stringify({ expected, shown });
        return (
          expected.map((r) => r.name).join() === everyone &&
          shown.every((rows) => JSON.stringify(rows) === JSON.stringify(expected))
        );
      } catch (err) {
        last = String(err);
        return false;
      }
    },
    WAIT,
    () => `${label}: every list should be the realtime server's members with their stored statuses: ${last}`,
  );
}
