import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

describe('whatsup-realtime CLI', () => {
  describe('when given flags', () => {
    it('should print its URL, accept the configured key and close cleanly on SIGTERM', async () => {
      const child = spawn(
        process.execPath,
        [CLI, '--port', '0', '--key', 'flag-key', '--app-id', 'a', '--secret', 's'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const url = await firstLine(child.stdout);
      assert.match(url, /^whatsup-realtime listening on http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(url.split(':').at(-1));
      const data = await firstFrame(`ws://127.0.0.1:${port}/app/flag-key?protocol=7`);
      assert.equal(data.event, 'pusher:connection_established');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    });
  });

  describe('when configured through soketi’s environment variables', () => {
    it('should use SOKETI_DEFAULT_APP_KEY', async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, SOKETI_DEFAULT_APP_KEY: 'soketi-key' };
      delete env.WHATSUP_KEY;
      const child = spawn(process.execPath, [CLI, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
      try {
        const port = Number((await firstLine(child.stdout)).split(':').at(-1));
        assert.equal(
          (await firstFrame(`ws://127.0.0.1:${port}/app/soketi-key`)).event,
          'pusher:connection_established',
        );
        assert.equal((await firstFrame(`ws://127.0.0.1:${port}/app/app-key`)).event, 'pusher:error');
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
    });
  });

  describe('when a flag is unknown', () => {
    it('should exit 2 with the usage', async () => {
      const child = spawn(process.execPath, [CLI, '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 2);
      assert.match(stderr, /Usage: whatsup-realtime/);
    });
  });
});

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no output: ${text}`)), 5000);
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end !== -1) {
        clearTimeout(timer);
        resolve(text.slice(0, end));
      }
    });
  });
}

function firstFrame(url: string): Promise<{ event: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('error', reject);
    ws.once('message', (data) => {
      ws.terminate();
      resolve(JSON.parse(data.toString()) as { event: string });
    });
  });
}
