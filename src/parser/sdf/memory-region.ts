import { LARGE_PAGE, SMALL_PAGE } from '../../abi/kernel-config.js';
import type { Element } from '../element.js';
import { attr } from '../element.js';
import type { BootInfoKind, MemoryRegion } from '../model.js';
import { hex } from '../numbers.js';
import type { SdfContext } from './context.js';
import { suggest } from './suggest.js';

const BOOTINFO_KINDS: readonly BootInfoKind[] = ['x86_vbe', 'x86_mbmmap', 'x86_acpi_rsdp', 'x86_framebuffer', 'x86_tsc_freq', 'fdt'];

/** `<memory_region>` (spec: sdf.md §3.10, §5.2). */
export function readMemoryRegion(ctx: SdfContext, el: Element): MemoryRegion {
  const mr: MemoryRegion = {
    element: el,
    invalid: new Set(),
    name: undefined,
    size: undefined,
    pageSize: SMALL_PAGE,
    pageSizeGiven: false,
    physAddr: undefined,
    prefillPath: undefined,
    prefillBytes: undefined,
    prefillBootinfo: undefined,
    toolAllocated: false,
  };
  // Step 1–2.
  ctx.checkAttributes(el, ['name', 'size', 'page_size', 'phys_addr', 'prefill_path', 'prefill_bootinfo']);
  const name = attr(el, 'name');
  if (!name) ctx.missing(el, 'name');
  mr.name = name?.value;
  // Step 3: page size.
  const pageSize = ctx.number(el, 'page_size', mr);
  if (typeof pageSize === 'bigint') {
    if (pageSize !== SMALL_PAGE && pageSize !== LARGE_PAGE) {
      mr.invalid.add('page_size');
      ctx.valueError('mr_page_size_unsupported', el, `page size ${hex(pageSize)} not supported`, {
        span: ctx.valueSpan(el, 'page_size'),
        hint: 'page_size must be 0x1000 (4 KiB) or 0x200000 (2 MiB)',
      });
    } else {
      mr.pageSize = pageSize;
      mr.pageSizeGiven = true;
    }
  }
  // Step 4: prefill file.
  const prefill = attr(el, 'prefill_path');
  let prefillLength: bigint | undefined;
  if (prefill) {
    mr.prefillPath = prefill.value;
    const found = ctx.lookupFile(prefill.value);
    if (!found.found) {
      mr.invalid.add('prefill_path');
      ctx.valueError('mr_prefill_not_found', el, `unable to find prefill file: '${prefill.value}'`, {
        span: prefill.valueSpan,
        hint:
          found.tried !== undefined && found.tried.length === 1 && found.tried[0] === prefill.value
            ? `there is no file '${prefill.value}'`
            : `looked for ${found.tried?.map((p) => `'${p}'`).join(', ') ?? 'it'}: prefill_path is looked up in each --search-path directory, then the current directory (not the system file's directory)`,
      });
    } else if (found.bytes === undefined) {
      mr.invalid.add('prefill_path');
      ctx.valueError('mr_prefill_unreadable', el, `failed to read file '${prefill.value}' at prefill_path`, { span: prefill.valueSpan });
    } else if (found.bytes.length === 0) {
      mr.invalid.add('prefill_path');
      ctx.valueError('mr_prefill_empty', el, `prefill file '${prefill.value}' is empty`, { span: prefill.valueSpan });
    } else {
      mr.prefillBytes = found.bytes;
      prefillLength = BigInt(found.bytes.length);
    }
  }
  // Step 5–6: prefill_bootinfo.
  const bootinfo = attr(el, 'prefill_bootinfo');
  if (bootinfo) {
    if ((BOOTINFO_KINDS as readonly string[]).includes(bootinfo.value)) {
      mr.prefillBootinfo = bootinfo.value as BootInfoKind;
    } else {
      mr.invalid.add('prefill_bootinfo');
      const guess = suggest(bootinfo.value, BOOTINFO_KINDS);
      ctx.valueError('mr_bootinfo_unsupported', el, `BootInfoMap type: '${bootinfo.value}' is not supported`, {
        span: bootinfo.valueSpan,
        hint: guess ? `did you mean '${guess}'?` : `one of: ${BOOTINFO_KINDS.join(', ')}`,
      });
    }
    if (prefill) {
      ctx.valueError('mr_prefill_conflict', el, 'prefill_path and prefill_bootinfo cannot be both specified', { span: bootinfo.nameSpan });
    }
  }
  // Step 7: size.
  const sizeAttr = attr(el, 'size');
  const size = ctx.number(el, 'size', mr);
  const ps = mr.pageSize;
  if (typeof size === 'bigint') {
    if (size % ps !== 0n) {
      mr.invalid.add('size');
      ctx.valueError('mr_size_unaligned', el, 'size is not a multiple of the page size', {
        span: ctx.valueSpan(el, 'size'),
        hint: `the page size is ${hex(ps)}: round the size up to ${hex(((size + ps - 1n) / ps) * ps)}`,
      });
    } else if (prefillLength !== undefined && prefillLength > size) {
      mr.invalid.add('size');
      ctx.valueError('mr_prefill_too_large', el, `size of prefill file exceeds memory region size: ${prefillLength.toString(16)} > ${size.toString(16)}`, {
        span: ctx.valueSpan(el, 'size'),
        hint: `omit size to get the file's length rounded up to the page size (${hex(((prefillLength + ps - 1n) / ps) * ps)})`,
      });
    } else {
      mr.size = size;
    }
  } else if (!sizeAttr) {
    if (mr.prefillBootinfo) mr.size = ps;
    else if (prefillLength !== undefined) mr.size = ((prefillLength + ps - 1n) / ps) * ps;
    else if (!prefill && !bootinfo) {
      ctx.valueError('mr_size_missing', el, 'size must be specified if memory region is not prefilled', {
        span: el.nameSpan,
        hint: 'add size="0x1000" (a multiple of the page size)',
      });
    }
  }
  if (mr.size === undefined) mr.invalid.add('size');
  // Step 8: phys_addr.
  const physAddr = ctx.number(el, 'phys_addr', mr);
  if (typeof physAddr === 'bigint') {
    if (physAddr % ps !== 0n) {
      mr.invalid.add('phys_addr');
      ctx.valueError('mr_phys_addr_unaligned', el, 'phys_addr is not aligned to the page size', {
        span: ctx.valueSpan(el, 'phys_addr'),
        hint: `the page size is ${hex(ps)}`,
      });
    } else {
      mr.physAddr = physAddr;
    }
  }
  return mr;
}
