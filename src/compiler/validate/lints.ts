import type { ChannelEnd, SystemDescription } from '../../parser/model.js';
import type { SdfContext } from '../../parser/sdf/context.js';
import { firstByName } from './maps.js';

/**
 * Warnings about likely mistakes the reference tool lets through. They never change the
 * verdict; each has its own code so it can be filtered.
 */
export function lint(ctx: SdfContext, system: SystemDescription): void {
  const mrs = firstByName(system.memoryRegions);

  // One region mapped both cached and uncached: the views disagree on what memory holds.
  const cachedness = new Map<string, { cached: boolean; span: ReturnType<SdfContext['valueSpan']> }>();
  const reported = new Set<string>();
  for (const pd of system.allProtectionDomains) {
    for (const m of [...pd.maps, ...(pd.virtualMachine?.maps ?? [])]) {
      if (m.mr === undefined || m.invalid.has('cached')) continue;
      const span = ctx.valueSpan(m.element, 'cached');
      const first = cachedness.get(m.mr);
      if (!first) cachedness.set(m.mr, { cached: m.cached, span });
      else if (first.cached !== m.cached && !reported.has(m.mr)) {
        reported.add(m.mr);
        ctx.report('mr_cache_mismatch', `memory region '${m.mr}' is mapped both cached and uncached`, {
          severity: 'warning',
          span,
          notes: [{ message: `mapped ${first.cached ? 'cached' : 'uncached'} here`, file: ctx.file, span: first.span }],
          hint: 'mismatched cache attributes give each side a different view of the memory; map it the same way everywhere',
        });
      }
    }
  }

  // A map of an empty region maps nothing.
  for (const pd of system.allProtectionDomains) {
    for (const m of pd.maps) {
      const mr = m.mr !== undefined ? mrs.get(m.mr) : undefined;
      if (mr && mr.size === 0n) {
        ctx.report('map_empty_region', `memory region '${m.mr}' has size 0, so this map maps nothing`, {
          severity: 'warning',
          span: ctx.valueSpan(m.element, 'mr'),
          notes: [{ message: 'size 0 is given here', file: ctx.file, span: ctx.valueSpan(mr.element, 'size') }],
        });
      }
    }
  }

  // Channels that confer nothing, and self-channels the reference lets through with one id.
  const canCall = new Set<string>();
  const canNotify = new Set<string>();
  for (const ch of system.channels) {
    if (ch.ends.length !== 2) continue;
    const [a, b] = ch.ends as [ChannelEnd, ChannelEnd];
    if (!a.notify && !b.notify && !a.pp && !b.pp && !a.invalid.has('notify') && !b.invalid.has('notify')) {
      // A program that reads the channel's id through setvar_id uses the channel: keep it.
      const patched = [a, b].find((e) => e.setvarId !== undefined);
      ctx.report('channel_no_effect', 'neither end of this channel can notify or call the other', {
        severity: 'warning',
        span: ch.element.nameSpan,
        hint: patched
          ? `both ends have notify="false" and neither has pp="true"; '${patched.pd ?? ''}' reads this channel's id through setvar_id '${patched.setvarId}', so allow one of them`
          : 'both ends have notify="false" and neither has pp="true"; remove the channel or allow one of them',
      });
    }
    if (a.pd !== undefined && a.pd === b.pd && a.id !== undefined && a.id === b.id) {
      ctx.report('channel_self_same_id', `both ends of this channel are '${a.pd}' with id ${a.id}`, {
        severity: 'warning',
        span: ctx.valueSpan(b.element, 'id'),
        hint: 'a channel from a PD to itself needs two different ids; the reference tool does not detect this',
      });
    }
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      if (to.pd === undefined) continue;
      if (from.pp) canCall.add(to.pd);
      if (from.notify) canNotify.add(to.pd);
    }
  }

  for (const pd of system.allProtectionDomains) {
    if (pd.name === undefined) continue;
    if (pd.passive && !canCall.has(pd.name) && !canNotify.has(pd.name) && pd.irqs.length === 0) {
      ctx.report('pd_passive_unreachable', `passive PD '${pd.name}' can never run after init()`, {
        severity: 'warning',
        span: ctx.valueSpan(pd.element, 'passive'),
        hint: 'a passive PD runs only when called or notified; no channel or irq leads to it',
      });
    }
    if (pd.budget === 0n && !pd.invalid.has('budget')) {
      ctx.report('pd_budget_zero', `PD '${pd.name}' has a budget of 0 and will never be scheduled`, {
        severity: 'warning',
        span: ctx.valueSpan(pd.element, 'budget'),
      });
    }
  }
}
