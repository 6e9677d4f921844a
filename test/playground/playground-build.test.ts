import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bashWords, buildPlayground } from '../../scripts/build-playground.mjs';
import { main } from '../../src/cli/main.js';
import { servePlayground } from '../../src/cli/commands/playground.js';
import { runSystem } from '../../playground/run-system.js';
import { decodeSystem, encodeSystem } from '../../playground/share.js';
import type { WorkerMessage } from '../../playground/protocol.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

/** Run an example as the playground's worker does, here in Node. */
async function runExample(name: string, pds: string[], extra: { until?: string; allowFaults?: boolean } = {}): Promise<WorkerMessage[]> {
  const files: Record<string, Uint8Array> = { 'sdk/prebuilt/debug/monitor.elf': new Uint8Array(readFileSync(join(ROOT, 'sdk/prebuilt/debug/monitor.elf'))) };
  for (const pd of pds) files[`${pd}.elf`] = new Uint8Array(readFileSync(join(EXAMPLES, name, `${pd}.elf`)));
  const messages: WorkerMessage[] = [];
  const source = readFileSync(join(EXAMPLES, name, `${name}.system`), 'utf8');
  await runSystem({ type: 'run', fileName: `${name}.system`, source, files, config: 'debug', maxTime: '1s', input: '', live: false, until: extra.until, allowFaults: extra.allowFaults ?? false }, (m) => messages.push(m)).done;
  return messages;
}
const consoleOf = (ms: WorkerMessage[]) => ms.map((m) => (m.type === 'console' ? m.text : '')).join('');

describe('the playground build (npm run playground)', () => {
  let out: string;
  let built: Awaited<ReturnType<typeof buildPlayground>>;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'sel4ts-playground-'));
    built = await buildPlayground(out);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles a page and a worker that reference no Node module', () => {
    expect(Object.keys(built.sizes)).toEqual(expect.arrayContaining(['main.js', 'worker.js']));
    for (const f of Object.keys(built.sizes)) {
      const text = readFileSync(join(out, f), 'utf8');
      // (A match, not the whole bundle, in the failure message.)
      expect(/["'`]node:[a-z_/]+["'`]/.exec(text)?.[0], f).toBeUndefined();
      expect(/\bsetImmediate\(|\bBuffer\.|require\(/.exec(text)?.[0], f).toBeUndefined();
      expect(built.sizes[f]!.gzip).toBeGreaterThan(1_000);
    }
  });

  it('copies every example with its committed ELFs and its run arguments, and the monitors', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'examples/index.json'), 'utf8')) as { name: string; files: string[]; input: string; until?: string; allowFaults: boolean }[];
    expect(manifest.map((e) => e.name).slice(0, 9)).toEqual(['hello', 'ping-pong', 'ppc', 'passive-server', 'ring-buffer', 'timer', 'hierarchy', 'uart', 'bad-pd']);
    const uart = manifest.find((e) => e.name === 'uart')!;
    expect(uart.input).toBe('hello uart\n');
    const bad = manifest.find((e) => e.name === 'bad-pd')!;
    expect(bad).toMatchObject({ until: 'still beating after three faults: done', allowFaults: true });
    expect(manifest.find((e) => e.name === 'mr-prefill')!.files).toContain('poem.txt');
    expect(readFileSync(join(out, 'examples/ping-pong/ping.elf'))).toEqual(readFileSync(join(EXAMPLES, 'ping-pong/ping.elf')));
    expect(readFileSync(join(out, 'sdk/prebuilt/release/monitor.elf')).length).toBeGreaterThan(1000);
  });

  it('reads run-args.txt as bash does', () => {
    expect(bashWords(`--input $'hello uart\\n' --until 'a b' "c \\"d\\"" --allow-faults`)).toEqual(['--input', 'hello uart\n', '--until', 'a b', 'c "d"', '--allow-faults']);
  });
});

describe("the playground's run (worker.ts) in Node", () => {
  it('gives hello and ping-pong their expected console output, as sel4ts run does', async () => {
    const hello = await runExample('hello', ['hello']);
    expect(consoleOf(hello)).toBe(readFileSync(join(EXAMPLES, 'hello/expected-output.txt'), 'utf8'));
    const done = hello.at(-1)!;
    expect(done).toMatchObject({ type: 'done', status: 'ok' });
    if (done.type === 'done') expect(done.pds.map((p) => p.name)).toEqual(['hello', 'monitor']);
    expect(consoleOf(await runExample('ping-pong', ['ping', 'pong']))).toBe(readFileSync(join(EXAMPLES, 'ping-pong/expected-output.txt'), 'utf8'));
  });

  it('runs blk with its disk from the manifest (snapshot: the image given stays unchanged), as sel4ts run does', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sel4ts-playground-blk-'));
    try {
      await buildPlayground(out);
      const manifest = JSON.parse(readFileSync(join(out, 'examples/index.json'), 'utf8')) as { name: string; system: string; files: string[]; until?: string; drives?: { file: string; readOnly: boolean }[]; forceLegacy?: boolean }[];
      const blk = manifest.find((e) => e.name === 'blk')!;
      expect(blk).toMatchObject({ drives: [{ file: 'disk.raw', readOnly: false }], forceLegacy: false, until: 'client: done' });
      const files: Record<string, Uint8Array> = { 'sdk/prebuilt/debug/monitor.elf': new Uint8Array(readFileSync(join(ROOT, 'sdk/prebuilt/debug/monitor.elf'))) };
      for (const f of blk.files) files[f] = new Uint8Array(readFileSync(join(out, 'examples/blk', f)));
      const disk = files['disk.raw']!.slice();
      const messages: WorkerMessage[] = [];
      const source = readFileSync(join(EXAMPLES, 'blk', blk.system), 'utf8');
      await runSystem({ type: 'run', fileName: blk.system, source, files, config: 'debug', maxTime: '1s', input: '', live: false, until: blk.until, allowFaults: false, drives: blk.drives, forceLegacy: blk.forceLegacy }, (m) => messages.push(m)).done;
      // The client reads past the end of the disk on purpose: the device's warning (stderr for
      // `sel4ts run`) is in the page's console, where it happened.
      const lines = consoleOf(messages).split('\n');
      expect(lines.filter((l) => !l.startsWith('sel4ts: warning: ')).join('\n')).toBe(readFileSync(join(EXAMPLES, 'blk/expected-output.txt'), 'utf8'));
      const warning = lines.findIndex((l) => l.startsWith('sel4ts: warning: '));
      expect(lines[warning]).toMatch(/queue 0: a read at sector 200 runs past the end of the disk/);
      expect(warning).toBeGreaterThan(2);
      expect(messages.at(-1)).toMatchObject({ type: 'done', status: 'ok' });
      expect(files['disk.raw']).toEqual(disk);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("reports bad-pd's faults as they happen, and stops at --until", async () => {
    const ms = await runExample('bad-pd', ['executor', 'heartbeat', 'misuser', 'spinner', 'writer'], { until: 'still beating after three faults: done', allowFaults: true });
    const faults = ms.filter((m) => m.type === 'fault');
    expect(faults.map((f) => f.type === 'fault' && f.record.pd)).toEqual(['misuser', 'writer', 'executor']);
    expect(faults[1]!.type === 'fault' && faults[1]!.line).toMatch(/^writer: vm fault on data at address 0x3000000 .* at writer\.c:25 in notified$/);
    expect(consoleOf(ms)).toBe(readFileSync(join(EXAMPLES, 'bad-pd/expected-output.txt'), 'utf8'));
    expect(ms.at(-1)).toMatchObject({ type: 'done', status: 'ok' });
  });

  it('says what is wrong when the programs are missing, with the CLI diagnostics', async () => {
    const messages: WorkerMessage[] = [];
    const source = readFileSync(join(EXAMPLES, 'hello/hello.system'), 'utf8');
    await runSystem({ type: 'run', fileName: 'hello.system', source, files: {}, config: 'debug', maxTime: '1s', input: '', live: false, until: undefined, allowFaults: false }, (m) => messages.push(m)).done;
    expect(messages).toHaveLength(1);
    const m = messages[0]!;
    expect(m.type).toBe('build-failed');
    if (m.type === 'build-failed') expect(m.diagnostics.join('\n')).toContain("error[program_image_not_found]: protection domain 'hello': program image 'hello.elf' not found (looked for 'hello.elf')");
  });

  it('keeps a live run waiting for UART input that is sent while it runs, until Stop', async () => {
    const files: Record<string, Uint8Array> = { 'sdk/prebuilt/debug/monitor.elf': readFileSync(join(ROOT, 'sdk/prebuilt/debug/monitor.elf')), 'uart.elf': readFileSync(join(EXAMPLES, 'uart/uart.elf')) };
    const messages: WorkerMessage[] = [];
    const source = readFileSync(join(EXAMPLES, 'uart/uart.system'), 'utf8');
    const seen = (text: string) => consoleOf(messages).includes(text);
    const until = async (text: string) => {
      for (let i = 0; i < 200 && !seen(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen(text), text).toBe(true);
    };
    const run = runSystem({ type: 'run', fileName: 'uart.system', source, files, config: 'debug', maxTime: '1s', input: 'hello uart\n', live: true, until: undefined, allowFaults: false }, (m) => messages.push(m));
    await until('line 1: "hello uart"');
    // Idle, waiting for input: no verdict yet.
    expect(messages.some((m) => m.type === 'done')).toBe(false);
    run.control.send('again\n');
    await until('line 2: "again"');
    run.control.stop();
    await run.done;
    expect(messages.at(-1)).toMatchObject({ type: 'done', status: 'stopped' });
  });

  it('refuses a time limit that is not a time', async () => {
    const messages: WorkerMessage[] = [];
    await runSystem({ type: 'run', fileName: 'x.system', source: '', files: {}, config: 'debug', maxTime: 'soon', input: '', live: false, until: undefined, allowFaults: false }, (m) => messages.push(m)).done;
    expect(messages).toEqual([{ type: 'error', message: "the time limit 'soon' is not a time (e.g. 1s, 250ms)" }]);
  });
});

describe('#system= links', () => {
  it('round-trip a description, compressed', async () => {
    const text = readFileSync(join(EXAMPLES, 'bad-pd/bad-pd.system'), 'utf8');
    const encoded = await encodeSystem(text);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encoded.length).toBeLessThan(text.length / 2);
    expect(await decodeSystem(encoded)).toBe(text);
  });

  it('give undefined for a damaged fragment', async () => {
    expect(await decodeSystem('not-a-description!')).toBeUndefined();
    expect(await decodeSystem((await encodeSystem('<system/>')).slice(0, 3))).toBeUndefined();
  });
});

describe('sel4ts playground', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), colour: false, cwd: process.cwd() } };
  };

  it('serves the folder, and nothing outside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-serve-'));
    writeFileSync(join(dir, 'index.html'), '<p>hi</p>');
    const s = await servePlayground(dir, '127.0.0.1', 0);
    if (!s.ok) throw new Error(s.message);
    try {
      const index = await fetch(s.server.url);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await index.text()).toBe('<p>hi</p>');
      expect((await fetch(`${s.server.url}%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
      expect((await fetch(`${s.server.url}missing.js`)).status).toBe(404);
    } finally {
      await s.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when the port is busy', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-serve-'));
    writeFileSync(join(dir, 'index.html'), '');
    const { out, io: testIo } = io();
    try {
      expect(await main(['playground', '--port', String(port), '--dir', dir], testIo)).toBe(2);
      expect(out.stderr).toBe(`sel4ts: port ${port} is in use on 127.0.0.1 (another server is running there): give another with --port\n`);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to build the playground when it is not built, and refuses a bad port', async () => {
    const { out, io: testIo } = io();
    expect(await main(['playground', '--dir', '/nonexistent/playground'], testIo)).toBe(2);
    expect(out.stderr).toBe("sel4ts: the playground is not built in /nonexistent/playground: run 'npm run playground' in the sel4ts folder first\n");
    const second = io();
    expect(await main(['playground', '--port', 'http'], second.io)).toBe(2);
    expect(second.out.stderr).toContain("--port 'http' is not a port number (0 to 65535)");
  });
});
