import type { Element } from '../element.js';
import { attr } from '../element.js';
import type { IoPort, Irq, ProtectionDomain } from '../model.js';
import { parsePciAddress } from '../numbers.js';
import type { SdfContext } from './context.js';
import { addSetvarSymbol } from './setvar.js';

/** Channel, irq, ioport and vcpu ids are 0..PD_MAX_ID. */
export const PD_MAX_ID = 61n;
/** x86 interrupt vectors usable by user level. */
const X86_MAX_VECTOR = 107n;

/**
 * Check an id in 0..61 (spec: sdf.md §5.1, "id must be < 62" / "id must be >= 0"). Returns the
 * id, or undefined after reporting.
 */
export function checkId(ctx: SdfContext, el: Element, id: bigint | undefined | null, code: 'channel_id_out_of_range' | 'irq_id_out_of_range' | 'ioport_id_out_of_range' | 'vcpu_id_out_of_range'): bigint | undefined {
  if (typeof id !== 'bigint') return undefined;
  const span = ctx.valueSpan(el, 'id');
  if (id > PD_MAX_ID) {
    ctx.valueError(code, el, 'id must be < 62', { span, hint: 'ids run from 0 to 61' });
    return undefined;
  }
  if (id < 0n) {
    ctx.valueError(code, el, 'id must be >= 0', { span, hint: 'ids run from 0 to 61' });
    return undefined;
  }
  return id;
}

/**
 * The `id` (0..61) and `setvar_id` of an irq or ioport, read first as the reference does.
 * Returns the id, or undefined after reporting.
 */
export function readIdAndSetvar(ctx: SdfContext, el: Element, entity: Irq | IoPort, pd: ProtectionDomain, code: 'irq_id_out_of_range' | 'ioport_id_out_of_range', hint?: string): bigint | undefined {
  if (!attr(el, 'id')) ctx.missing(el, 'id', hint);
  const id = checkId(ctx, el, ctx.decimal(el, 'id', true, entity), code);
  if (id === undefined) entity.invalid.add('id');
  const setvarId = attr(el, 'setvar_id');
  if (setvarId) {
    entity.setvarId = setvarId.value;
    addSetvarSymbol(ctx, pd, setvarId.value, 'id', el, 'setvar_id');
  }
  return id;
}

function trigger(ctx: SdfContext, el: Element, irq: Irq): 'level' | 'edge' {
  const a = attr(el, 'trigger');
  if (!a || a.value === 'level') return 'level';
  if (a.value === 'edge') return 'edge';
  irq.invalid.add('trigger');
  ctx.valueError('irq_trigger_invalid', el, "trigger must be either 'level' or 'edge'", { span: a.valueSpan });
  return 'level';
}

function vector(ctx: SdfContext, el: Element, irq: Irq): bigint | undefined {
  if (!attr(el, 'vector')) {
    ctx.missing(el, 'vector');
    return undefined;
  }
  const v = ctx.decimal(el, 'vector', true, irq);
  if (typeof v !== 'bigint') return undefined;
  if (v < 0n || v > X86_MAX_VECTOR) {
    ctx.valueError('irq_vector_out_of_range', el, 'vector must be within [0..107]', { span: ctx.valueSpan(el, 'vector') });
    return undefined;
  }
  return v;
}

function nonNegative(ctx: SdfContext, el: Element, name: string, irq: Irq, dflt: bigint | undefined): bigint | undefined {
  const v = ctx.decimal(el, name, true, irq);
  if (v === undefined) return dflt;
  if (v === null) return undefined;
  if (v < 0n) {
    irq.invalid.add(name);
    ctx.valueError('irq_value_negative', el, `${name} must be >= 0`, { span: ctx.valueSpan(el, name) });
    return undefined;
  }
  return v;
}

/** `<irq>` in any of its three forms (spec: sdf.md §3.4). */
export function readIrq(ctx: SdfContext, el: Element, pd: ProtectionDomain): Irq {
  const irq: Irq = { element: el, invalid: new Set(), id: undefined, setvarId: undefined, kind: undefined };
  const x86 = ctx.config.arch === 'x86_64';
  // The reference reads id and setvar_id before it looks at the form or the other attributes.
  irq.id = readIdAndSetvar(ctx, el, irq, pd, 'irq_id_out_of_range', 'the id is the channel number the PD sees in notified()');

  if (attr(el, 'irq')) {
    if (x86) {
      irq.invalid.add('irq');
      ctx.valueError('irq_form_unsupported', el, 'ARM and RISC-V IRQs are not supported on x86', {
        span: ctx.valueSpan(el, 'irq'),
        hint: 'on x86_64 use the I/O APIC form (pin, vector) or the MSI form (pcidev, handle, vector)',
      });
      return irq;
    }
    ctx.checkAttributes(el, ['irq', 'id', 'setvar_id', 'trigger']);
    const number = ctx.decimal(el, 'irq', false, irq);
    const t = trigger(ctx, el, irq);
    if (typeof number === 'bigint') irq.kind = { form: 'arm', irq: number, trigger: t };
    return irq;
  }
  if (attr(el, 'pin')) {
    if (!x86) {
      irq.invalid.add('irq');
      ctx.valueError('irq_form_unsupported', el, "x86 I/O APIC IRQ isn't supported on ARM and RISC-V", {
        span: ctx.valueSpan(el, 'pin'),
        hint: 'on ARM and RISC-V write irq="N" with the interrupt number',
      });
      return irq;
    }
    ctx.checkAttributes(el, ['id', 'setvar_id', 'ioapic', 'pin', 'trigger', 'polarity', 'vector']);
    const ioapic = nonNegative(ctx, el, 'ioapic', irq, 0n);
    const pin = nonNegative(ctx, el, 'pin', irq, undefined);
    const t = trigger(ctx, el, irq);
    let polarity: 'low' | 'high' = 'high';
    const p = attr(el, 'polarity');
    if (p && p.value !== 'high') {
      if (p.value === 'low') polarity = 'low';
      else {
        irq.invalid.add('polarity');
        ctx.valueError('irq_polarity_invalid', el, "polarity must be either 'low' or 'high'", { span: p.valueSpan });
      }
    }
    const v = vector(ctx, el, irq);
    if (ioapic !== undefined && pin !== undefined && v !== undefined) {
      irq.kind = { form: 'ioapic', ioapic, pin, trigger: t, polarity, vector: v };
    }
    return irq;
  }
  if (attr(el, 'pcidev')) {
    if (!x86) {
      irq.invalid.add('irq');
      ctx.valueError('irq_form_unsupported', el, "x86 MSI IRQ isn't supported on ARM and RISC-V", {
        span: ctx.valueSpan(el, 'pcidev'),
        hint: 'on ARM and RISC-V write irq="N" with the interrupt number',
      });
      return irq;
    }
    ctx.checkAttributes(el, ['id', 'setvar_id', 'pcidev', 'handle', 'vector']);
    const a = attr(el, 'pcidev')!;
    const pci = parsePciAddress(a.value);
    if (!pci.ok) {
      irq.invalid.add('pcidev');
      ctx.valueError('irq_pcidev_invalid', el, pci.reason, { span: a.valueSpan, hint: 'write the PCI address as bus:device.function in hexadecimal, e.g. 00:1f.2' });
    }
    let handle: bigint | undefined;
    if (!attr(el, 'handle')) ctx.missing(el, 'handle');
    else handle = nonNegative(ctx, el, 'handle', irq, undefined);
    const v = vector(ctx, el, irq);
    if (pci.ok && handle !== undefined && v !== undefined) {
      irq.kind = { form: 'msi', pcidev: { bus: pci.bus, device: pci.device, function: pci.function }, handle, vector: v };
    }
    return irq;
  }
  irq.invalid.add('irq');
  ctx.missing(el, x86 ? 'pin' : 'irq', x86 ? 'an x86 irq needs pin and vector (I/O APIC) or pcidev, handle and vector (MSI)' : 'write irq="N" with the hardware interrupt number');
  return irq;
}
