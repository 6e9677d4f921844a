import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlayground } from '../../scripts/build-playground.mjs';
import { servePlayground, type PlaygroundServer } from '../../src/cli/commands/playground.js';
import { main } from '../../src/cli/main.js';
import { runSystem } from '../../playground/run-system.js';
import { encodeSystem } from '../../playground/share.js';
import type { WorkerMessage } from '../../playground/protocol.js';
import { oracle } from '../helpers/oracles.js';

/**
 * The playground in a real browser: Debian's chromium driven by playwright-core (which never
 * downloads a browser). Screenshots and the measured budgets go to test-output/playground/.
 */

const CHROMIUM = process.env.SEL4TS_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = oracle('chromium', existsSync(CHROMIUM), 'the playground in a browser');
const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const OUTPUT = join(ROOT, 'test-output', 'playground');
const expected = (name: string) => readFileSync(join(EXAMPLES, name, 'expected-output.txt'), 'utf8');

describe.skipIf(!HAVE_CHROMIUM)('the playground in Chromium', () => {
  let site: string;
  let server: PlaygroundServer;
  let browser: Browser;
  const budgets: Record<string, number> = {};

  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'sel4ts-playground-'));
    const built = await buildPlayground(site);
    for (const [file, size] of Object.entries(built.sizes)) budgets[`${file} gzip bytes`] = size.gzip;
    const s = await servePlayground(site, '127.0.0.1', 0);
    if (!s.ok) throw new Error(s.message);
    server = s.server;
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(OUTPUT, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
    if (Object.keys(budgets).length > 0) writeFileSync(join(OUTPUT, 'budgets.json'), `${JSON.stringify(budgets, null, 2)}\n`);
  });

  async function open(query: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}${query}`);
    await page.waitForSelector('body[data-checked]');
    expect(errors).toEqual([]);
    return page;
  }

  /** Wait for a run to end; its status. */
  async function finished(page: Page): Promise<string> {
    // (Expressions as strings: they run in the page, whose DOM types this Node test does not have.)
    await page.waitForFunction("!['idle', 'running'].includes(document.getElementById('status').dataset.status)", undefined, { timeout: 60_000 });
    return (await page.getAttribute('#status', 'data-status'))!;
  }

  /** Replace the editor's text as a paste would, then wait for the check of the new text. */
  async function typeText(page: Page, text: string): Promise<void> {
    const before = await page.getAttribute('body', 'data-checked');
    await page.click('.cm-content');
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText(text);
    await page.waitForFunction(`document.body.dataset.checked !== ${JSON.stringify(before)}`);
  }

  it('loads: the examples, hello checked and drawn, the first diagnostics measured', async () => {
    const page = await open('');
    expect(await page.locator('#examples button').allTextContents()).toEqual(expect.arrayContaining(['hello', 'ping-pong', 'ppc', 'passive-server', 'ring-buffer', 'timer', 'hierarchy', 'uart', 'bad-pd']));
    expect(await page.textContent('#verdict')).toBe('hello.system: ok (0 errors, 0 warnings)');
    expect(await page.locator('#diagnostics li').count()).toBe(0);
    expect(await page.locator('#graph svg').textContent()).toContain('hello');
    budgets.firstDiagnosticsMs = Number(await page.getAttribute('body', 'data-first-diagnostics-ms'));
    expect(budgets.firstDiagnosticsMs).toBeGreaterThan(0);
    await page.screenshot({ path: join(OUTPUT, 'loaded.png') });
    await page.close();
  });

  it('marks an error as it is typed, with the diagnostics of sel4ts check, and draws the graph again once it is fixed', async () => {
    const page = await open('?example=ping-pong');
    const good = readFileSync(join(EXAMPLES, 'ping-pong/ping-pong.system'), 'utf8');
    const bad = good.replace('name="pong" priority="110"', 'name="pong" priority="300"');
    await typeText(page, bad);
    await page.waitForSelector('.cm-lintRange-error');
    expect(await page.locator('.cm-lintRange-error').first().textContent()).toBe('300');
    expect(await page.locator('.cm-lint-marker-error').count()).toBe(1);
    const shown = await page.locator('#diagnostics li pre').allTextContents();
    expect(await page.getAttribute('#diagnostics li', 'data-code')).toBe('pd_priority_out_of_range');
    // The same text as the command line's, file name aside.
    const dir = mkdtempSync(join(tmpdir(), 'sel4ts-check-'));
    writeFileSync(join(dir, 'ping-pong.system'), bad);
    let stderr = '';
    await main(['check', join(dir, 'ping-pong.system')], { stdout: () => {}, stderr: (t) => void (stderr += t), colour: false, cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    expect(shown).toHaveLength(1);
    expect(stderr.replaceAll(`${dir}/`, '')).toContain(shown[0]!);
    expect(shown[0]).toContain('ping-pong.system:12:46: error[pd_priority_out_of_range]: priority must be between 0 and 254');
    await page.screenshot({ path: join(OUTPUT, 'error.png') });
    // A click on the diagnostic puts the cursor at the problem: typing goes there.
    const beforeX = await page.getAttribute('body', 'data-checked');
    await page.click('#diagnostics li');
    await page.keyboard.type('X');
    expect(await page.locator('.cm-content').textContent()).toContain('name="pong" priority="X300"');
    // That edit's own check must be over before the next text goes in, or typeText would take
    // its end for the end of the next one's.
    await page.waitForFunction(`document.body.dataset.checked !== ${JSON.stringify(beforeX)}`);

    await typeText(page, good);
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
    expect(await page.textContent('#verdict')).toBe('ping-pong.system: ok (0 errors, 0 warnings)');
    const graph = await page.locator('#graph svg').textContent();
    expect(graph).toContain('ping');
    expect(graph).toContain('pong');
    await page.close();
  });

  it('runs hello from a ?example=hello&run link as sel4ts run does, with its statistics', async () => {
    const page = await open('?example=hello&run');
    expect(await finished(page)).toBe('ok');
    expect(await page.textContent('#console')).toBe(expected('hello'));
    expect(await page.locator('#stats tr').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^hello\d+/), expect.stringMatching(/^monitor\d+/)]));
    await page.close();
  });

  it('runs ping-pong and uart (with its input) to their expected output, then uart kept open for input sent while it runs', async () => {
    const page = await open('?example=ping-pong');
    await page.click('#run');
    expect(await finished(page)).toBe('ok');
    expect(await page.textContent('#console')).toBe(expected('ping-pong'));
    await page.screenshot({ path: join(OUTPUT, 'ping-pong.png') });
    // Deterministic as in Node: the statistics of `sel4ts run --stats`, instruction for instruction.
    let stderr = '';
    await main(['run', join(EXAMPLES, 'ping-pong/ping-pong.system'), '--stats'], { stdout: () => {}, stderr: (t) => void (stderr += t), colour: false, cwd: ROOT });
    const cliRows = stderr
      .split('\n')
      .filter((l) => /^(ping|pong|monitor|total virtual time) /.test(l))
      .map((l) => l.trim().split(/\s{2,}/));
    const pageRows = await Promise.all((await page.locator('#stats tr').all()).slice(1).map(async (tr) => (await tr.locator('td').allTextContents()).filter((c) => c !== '')));
    expect(cliRows).toHaveLength(4);
    expect(pageRows).toEqual(cliRows);
    await page.click('#examples button[data-example="uart"]');
    await page.waitForFunction("document.getElementById('file-name').textContent === 'uart.system'");
    expect(await page.inputValue('#input')).toBe('hello uart\n');
    await page.click('#run');
    expect(await finished(page)).toBe('ok');
    expect(await page.textContent('#console')).toBe(expected('uart'));
    // Kept open, the UART takes what is sent while the system runs.
    await page.check('#live');
    await page.click('#run');
    await page.waitForFunction(`document.getElementById('console').textContent.includes(${JSON.stringify('line 1: "hello uart"')})`);
    await page.fill('#input', 'from the page\n');
    await page.click('#send');
    await page.waitForFunction(`document.getElementById('console').textContent.includes(${JSON.stringify('line 2: "from the page"')})`);
    await page.click('#stop');
    expect(await finished(page)).toBe('stopped');
    await page.close();
  });

  it('runs bad-pd and reports each of its faults', async () => {
    const page = await open('?example=bad-pd&run');
    expect(await finished(page)).toBe('ok');
    expect(await page.textContent('#console')).toBe(expected('bad-pd'));
    expect(await Promise.all((await page.locator('#faults li').all()).map((li) => li.getAttribute('data-pd')))).toEqual(['misuser', 'writer', 'executor']);
    expect(await page.locator('#faults li').nth(1).textContent()).toMatch(/^writer: vm fault on data at address 0x3000000 .* at writer\.c:25 in notified$/);
    expect(await page.textContent('#status')).toBe("ok: 'still beating after three faults: done' appeared");
    await page.screenshot({ path: join(OUTPUT, 'bad-pd.png') });
    await page.close();
  });

  it('opens a #system= link with its edited description, and runs it', async () => {
    const edited = readFileSync(join(EXAMPLES, 'hello/hello.system'), 'utf8').replace('name="hello" priority="254"', 'name="greeter" priority="100"');
    const page = await open(`?example=hello#system=${await encodeSystem(edited)}`);
    expect(await page.locator('.cm-content').textContent()).toContain('<protection_domain name="greeter" priority="100">');
    expect(await page.locator('#graph svg').textContent()).toContain('greeter');
    await page.click('#run');
    expect(await finished(page)).toBe('ok');
    expect(await page.textContent('#console')).toBe(expected('hello'));
    expect(await page.locator('#stats tr').nth(1).textContent()).toMatch(/^greeter\d+/);
    // Share link gives a link that opens the same text.
    await typeText(page, edited.replace('priority="100"', 'priority="101"'));
    await page.click('#share');
    // The link is written once the text is compressed (asynchronously, after the click returns).
    await expect.poll(() => page.inputValue('#share-link')).toContain('#system=');
    const link = await page.inputValue('#share-link');
    const again = await open(link.slice(server.url.length));
    expect(await again.locator('.cm-content').textContent()).toContain('priority="101"');
    await again.close();
    await page.close();
  });

  it('runs a system with a program picked from disk, after saying it is missing', async () => {
    const mine = '<?xml version="1.0" encoding="UTF-8"?>\n<system>\n    <protection_domain name="mine" priority="200">\n        <program_image path="mine.elf" />\n    </protection_domain>\n</system>\n';
    const page = await open(`?example=timer#system=${await encodeSystem(mine)}`);
    await page.click('#run');
    expect(await finished(page)).toBe('build-failed');
    expect(await page.textContent('#console')).toContain("error[program_image_not_found]: protection domain 'mine': program image 'mine.elf' not found");
    await page.setInputFiles('#programs', { name: 'mine.elf', mimeType: 'application/octet-stream', buffer: readFileSync(join(EXAMPLES, 'hello/hello.elf')) });
    await page.waitForFunction("document.getElementById('files').textContent.includes('mine.elf (yours)')");
    await page.click('#run');
    expect(await finished(page)).toBe('ok');
    expect(await page.textContent('#console')).toBe(expected('hello'));
    await page.close();
  });

  it('stops a run that would go on to its time limit', async () => {
    // spinner alone never goes idle: without Stop it would run 10 s of virtual time.
    const spinner = '<?xml version="1.0" encoding="UTF-8"?>\n<system>\n    <protection_domain name="spinner" priority="1">\n        <program_image path="spinner.elf" />\n    </protection_domain>\n</system>\n';
    const page = await open(`?example=bad-pd#system=${await encodeSystem(spinner)}`);
    await page.fill('#max-time', '10s');
    await page.click('#run');
    await page.waitForFunction("document.getElementById('console').textContent.includes('spinner: spinning forever')");
    await page.click('#stop');
    expect(await finished(page)).toBe('stopped');
    expect(await page.textContent('#status')).toMatch(/^stopped: stopped after \d+\.\d{3} ms of virtual time$/);
    expect(await page.isEnabled('#run')).toBe(true);
    await page.close();
  });

  it('measures the budgets: first diagnostics, and hello and bad-pd in Chromium against Node', async () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Page load to first diagnostics, each in a fresh context (no cache), the browser warm.
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url);
      await page.waitForSelector('body[data-first-diagnostics-ms]');
      loads.push(Number(await page.getAttribute('body', 'data-first-diagnostics-ms')));
      await context.close();
    }
    budgets.firstDiagnosticsMs = median(loads);
    for (const [name, pds, extra] of [
      ['hello', ['hello'], {}],
      ['bad-pd', ['executor', 'heartbeat', 'misuser', 'spinner', 'writer'], { until: 'still beating after three faults: done', allowFaults: true }],
    ] as const) {
      const chromiumRuns: number[] = [];
      const chromiumTotals: number[] = [];
      const page = await open(`?example=${name}`);
      for (let i = 0; i < 3; i++) {
        await page.click('#run');
        expect(await finished(page)).toBe('ok');
        chromiumRuns.push(Number(await page.getAttribute('body', 'data-run-ms')));
        chromiumTotals.push(Number(await page.getAttribute('body', 'data-run-host-ms')));
      }
      await page.close();
      const nodeRuns: number[] = [];
      const nodeTotals: number[] = [];
      for (let i = 0; i < 3; i++) {
        const files: Record<string, Uint8Array> = { 'sdk/prebuilt/debug/monitor.elf': readFileSync(join(ROOT, 'sdk/prebuilt/debug/monitor.elf')) };
        for (const pd of pds) files[`${pd}.elf`] = readFileSync(join(EXAMPLES, name, `${pd}.elf`));
        const messages: WorkerMessage[] = [];
        const source = readFileSync(join(EXAMPLES, name, `${name}.system`), 'utf8');
        const until = 'until' in extra ? extra.until : undefined;
        await runSystem({ type: 'run', fileName: `${name}.system`, source, files, config: 'debug', maxTime: '1s', input: '', live: false, until, allowFaults: 'allowFaults' in extra }, (m) => messages.push(m)).done;
        const done = messages.at(-1)!;
        if (done.type !== 'done') throw new Error(`${name} did not run in Node: ${JSON.stringify(done)}`);
        nodeRuns.push(done.runMs);
        nodeTotals.push(done.hostMs);
      }
      budgets[`${name}RunChromiumMs`] = median(chromiumRuns);
      budgets[`${name}RunNodeMs`] = Math.round(median(nodeRuns));
      budgets[`${name}BuildAndRunChromiumMs`] = median(chromiumTotals);
      budgets[`${name}BuildAndRunNodeMs`] = Math.round(median(nodeTotals));
    }
  });
});
