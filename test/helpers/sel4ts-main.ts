/**
 * `sel4ts` from the sources (tests point the SDK's bin/microkit here through $SEL4TS, so what they
 * check is the code under test, not a possibly stale dist/): node --import tsx sel4ts-main.ts ARGS.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
