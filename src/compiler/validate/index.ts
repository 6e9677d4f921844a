import type { SystemDescription } from '../../parser/model.js';
import type { SdfContext } from '../../parser/sdf/context.js';
import { checkCapSlots } from './caps.js';
import { checkIrqsAndChannels } from './channels.js';
import { checkIoPorts } from './ioports.js';
import { lint } from './lints.js';
import { checkIoMaps, checkMaps } from './maps.js';
import { checkPhysAddrs, checkPostProcessing } from './memory.js';
import { checkNames } from './names.js';
import { selectPageSizes } from './page-size.js';

/**
 * The system-wide rules, in the reference tool's order (spec: sdf.md §5.4, §5.5), then our
 * extra warnings. Page sizes are selected only when no error was found.
 */
export function validateSystem(ctx: SdfContext, system: SystemDescription): void {
  checkNames(ctx, system);
  checkIrqsAndChannels(ctx, system);
  checkIoPorts(ctx, system);
  checkMaps(ctx, system);
  checkIoMaps(ctx, system);
  checkCapSlots(ctx, system);
  checkPhysAddrs(ctx, system);
  checkPostProcessing(ctx, system);
  lint(ctx, system);
  if (!ctx.diagnostics.hasErrors) selectPageSizes(system);
}
