import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boardKernelConfig, findBoard } from '../src/abi/boards.js';
import { buildErrors, buildSystem } from '../src/compiler/build.js';
import { checkSystemSource } from '../src/compiler/check.js';
import { bootImage } from '../src/loader/boot.js';
import { HAVE_SHARED, SHARED_DIR } from './helpers/shared.js';
import { oracle } from './helpers/oracles.js';

/**
 * Every corpus system that is valid for qemu_virt_aarch64 either builds, boots and brings every
 * PD up (each PD runs test/build/programs/corpus-pd.elf, which defines every setvar symbol the
 * corpus patches; scripts/gen-corpus-pd.ts), or is refused at build time with a message that
 * says what sel4ts does not model or what does not exist on this board.
 */

const CORPUS = join(SHARED_DIR, 'corpus');
const PROGRAM = fileURLToPath(new URL('./build/programs/corpus-pd.elf', import.meta.url));
const REFUSALS = [/has a virtual machine: sel4ts does not model vCPUs yet/, /asks for SMC calls/, /IRQ \d+ does not exist on qemu_virt_aarch64/, /must be at 0x[0-9a-f]+, which is not memory the kernel hands out/];

describe.skipIf(!oracle('../shared', HAVE_SHARED, 'corpus build and boot'))('building and booting the corpus (needs ../shared)', () => {
  it('every valid system runs with every PD up, or is refused with a reason', { timeout: 300_000 }, () => {
    const config = boardKernelConfig(findBoard('qemu_virt_aarch64')!, 'debug')!;
    let booted = 0;
    for (const f of readdirSync(CORPUS)
      .filter((x) => /\.(system|xml)$/.test(x))
      .sort()) {
      const text = readFileSync(join(CORPUS, f), 'utf8');
      const check = checkSystemSource(f, text, { config });
      if (!check.ok || !check.system) continue;
      const dir = mkdtempSync(join(tmpdir(), 'sel4ts-corpus-'));
      for (const pd of check.system.allProtectionDomains) if (pd.programImage?.path) cpSync(PROGRAM, join(dir, pd.programImage.path));
      const built = buildSystem(f, text, { searchPaths: [dir, CORPUS] });
      if (!built.ok) {
        for (const e of buildErrors(built))
          expect(
            REFUSALS.some((r) => r.test(e)),
            `${f}: ${e}`,
          ).toBe(true);
        continue;
      }
      const boot = bootImage(built.image);
      if (!boot.ok) throw new Error(`${f}: ${boot.error}`);
      boot.booted.machine.run(boot.booted.kernel, 50_000_000);
      const up = (boot.booted.machine.consoleOutput.match(/ up\n/g) ?? []).length;
      expect(up, `${f}: PDs up`).toBe(check.system.allProtectionDomains.length);
      booted++;
    }
    expect(booted).toBeGreaterThanOrEqual(65);
  });
});
