import type { Element } from '../element.js';
import { attr } from '../element.js';
import type { IoPort, ProtectionDomain } from '../model.js';
import type { SdfContext } from './context.js';
import { readIdAndSetvar } from './irq.js';
import { addSetvarSymbol } from './setvar.js';

/** `<ioport>` (x86_64 only; spec: sdf.md §3.5). */
export function readIoPort(ctx: SdfContext, el: Element, pd: ProtectionDomain): IoPort {
  const port: IoPort = { element: el, invalid: new Set(), id: undefined, setvarId: undefined, addr: undefined, setvarAddr: undefined, size: undefined };
  if (ctx.config.arch !== 'x86_64') {
    port.invalid.add('id');
    ctx.valueError('ioport_not_x86', pd.element, 'I/O Ports are only available on x86', {
      span: el.nameSpan,
      hint: 'on ARM and RISC-V, devices are memory mapped: map a memory_region with its phys_addr',
    });
    return port;
  }
  ctx.checkAttributes(el, ['id', 'setvar_id', 'setvar_addr', 'addr', 'size']);
  port.id = readIdAndSetvar(ctx, el, port, pd, 'ioport_id_out_of_range');
  if (!attr(el, 'addr')) ctx.missing(el, 'addr');
  const addr = ctx.number(el, 'addr', port);
  if (typeof addr === 'bigint') port.addr = addr;
  else port.invalid.add('addr');
  const setvarAddr = attr(el, 'setvar_addr');
  if (setvarAddr) {
    port.setvarAddr = setvarAddr.value;
    addSetvarSymbol(ctx, pd, setvarAddr.value, 'addr', el, 'setvar_addr');
  }
  if (!attr(el, 'size')) ctx.missing(el, 'size');
  const size = ctx.decimal(el, 'size', true, port);
  if (typeof size === 'bigint' && size <= 0n) {
    ctx.valueError('ioport_size_invalid', el, 'size must be > 0', { span: ctx.valueSpan(el, 'size') });
  } else if (typeof size === 'bigint') {
    port.size = size;
  }
  if (port.size === undefined) port.invalid.add('size');
  return port;
}
