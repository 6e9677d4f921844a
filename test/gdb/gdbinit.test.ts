import { describe, expect, it } from 'vitest';
import { gdbinitText } from '../../src/cli/run/gdbinit.js';

describe('run --gdbinit FILE', () => {
  const text = gdbinitText(
    '127.0.0.1:1234',
    [
      { pid: 1, tid: 1, name: 'client' },
      { pid: 2, tid: 2, name: 'server' },
    ],
    new Map([['client', '/tmp/x/client.elf']]),
  );
  const lines = text.split('\n');

  it('sets up GDB before it connects: architecture, one CPU for all PDs, host files, a timeout for a slow host', () => {
    const connect = lines.indexOf('target extended-remote 127.0.0.1:1234');
    expect(connect).toBeGreaterThan(0);
    for (const setting of ['set architecture aarch64', 'set schedule-multiple on', 'set sysroot /', 'set remotetimeout 30']) {
      const at = lines.indexOf(setting);
      expect(at, setting).toBeGreaterThanOrEqual(0);
      expect(at, setting).toBeLessThan(connect);
    }
  });

  it("lists the inferiors in the stub's process order, with their programs, and starts on the first", () => {
    expect(lines).toContain('# inferior 1: client (/tmp/x/client.elf)');
    expect(lines).toContain('# inferior 2: server');
    // Source directories: each program's, then the package's (for the sdk's sources).
    expect(lines.find((l) => l.startsWith('directory '))).toMatch(/^directory \/tmp\/x:\//);
    expect(lines.at(-2)).toBe('inferior 1');
  });
});
