import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../package-file.js';
import { EXIT_OK, type Io } from '../io.js';
import type { MicrokitSdkBoards } from '../microkit-args.js';

/** The Microkit-shaped SDK folder shipped in the package (sdk/microkit-sdk/README.md). */
export function microkitSdkPath(): string {
  return packageFile('sdk/microkit-sdk');
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** The boards and configurations the SDK folder holds (board/<board>/<config>/), as the Microkit tool finds them. */
export function microkitSdkBoards(sdk: string = microkitSdkPath()): MicrokitSdkBoards {
  const boardDir = join(sdk, 'board');
  return { boards: subdirectories(boardDir), configsOf: (board) => subdirectories(join(boardDir, board)) };
}

/** `sel4ts sdk [--path]`: where the Microkit-shaped SDK is, and how Makefiles use it. */
export function sdkCommand(opts: { path?: boolean }, io: Io): number {
  const sdk = microkitSdkPath();
  if (opts.path) {
    io.stdout(`${sdk}\n`);
    return EXIT_OK;
  }
  const { boards, configsOf } = microkitSdkBoards(sdk);
  io.stdout(`Microkit-shaped SDK: ${sdk}\n`);
  for (const b of boards) io.stdout(`  board ${b}: ${configsOf(b).join(', ')}\n`);
  io.stdout(`Build a Microkit project against it:\n  make MICROKIT_SDK=$(sel4ts sdk --path) MICROKIT_BOARD=qemu_virt_aarch64 MICROKIT_CONFIG=debug\n`);
  io.stdout(`Its bin/microkit is 'sel4ts microkit' (the Microkit tool's options); run the image with 'sel4ts run loader.img'.\n`);
  return EXIT_OK;
}
