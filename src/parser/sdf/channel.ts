import type { Element } from '../element.js';
import { attr, childElements } from '../element.js';
import type { Channel, ChannelEnd, ProtectionDomain } from '../model.js';
import type { SdfContext } from './context.js';
import { checkId } from './irq.js';
import { addSetvarSymbol } from './setvar.js';
import { suggest } from './suggest.js';

/**
 * `<channel>` with its two `<end>`s (spec: sdf.md §3.11, §5.4b). Channels are read after every
 * PD, so end names resolve against the whole (flattened) PD list.
 */
export function readChannel(ctx: SdfContext, el: Element, pds: Map<string, ProtectionDomain>): Channel {
  const channel: Channel = { element: el, invalid: new Set(), ends: [] };
  ctx.checkAttributes(el, []);
  const elements = childElements(el);
  let foreign = 0;
  for (const child of elements) {
    if (child.tag !== 'end') {
      foreign++;
      ctx.report('channel_invalid_child', `invalid XML element '${child.tag}' in <channel>`, {
        reference: `Error: invalid XML element '${child.tag}': ${ctx.loc(child)}`,
        span: child.nameSpan,
        hint: '<channel> takes exactly two <end pd="…" id="…"/> children',
      });
      continue;
    }
    channel.ends.push(readEnd(ctx, child, pds));
  }
  if (elements.length !== 2 || channel.ends.length !== 2) {
    channel.invalid.add('ends');
    // A foreign child was reported already; the count follows from it.
    if (foreign > 0) return channel;
    ctx.valueError('channel_end_count', el, 'exactly two end elements must be specified', {
      span: el.nameSpan,
      hint: `this channel has ${channel.ends.length} <end> element${channel.ends.length === 1 ? '' : 's'}`,
    });
    return channel;
  }
  const [a, b] = channel.ends as [ChannelEnd, ChannelEnd];
  if (a.pp && b.pp) {
    channel.invalid.add('pp');
    ctx.valueError('channel_pp_both_ends', el, 'cannot ppc bidirectionally', {
      span: ctx.valueSpan(b.element, 'pp'),
      notes: [{ message: 'the other end is also pp', file: ctx.file, span: ctx.valueSpan(a.element, 'pp') }],
      hint: 'only the caller\'s end has pp="true"; the callee answers through protected()',
    });
  }
  for (const end of [a, b]) {
    const pd = end.pd !== undefined ? pds.get(end.pd) : undefined;
    if (pd && end.setvarId !== undefined) addSetvarSymbol(ctx, pd, end.setvarId, 'channel_id', end.element, 'setvar_id', el);
  }
  return channel;
}

function readEnd(ctx: SdfContext, el: Element, pds: Map<string, ProtectionDomain>): ChannelEnd {
  const end: ChannelEnd = { element: el, invalid: new Set(), pd: undefined, id: undefined, pp: false, notify: true, setvarId: undefined };
  ctx.checkAttributes(el, ['pd', 'id', 'pp', 'notify', 'setvar_id']);
  const pd = attr(el, 'pd');
  if (!pd) ctx.missing(el, 'pd');
  if (!attr(el, 'id')) ctx.missing(el, 'id', 'the id is the channel number this PD uses in microkit_notify() and notified()');
  end.id = checkId(ctx, el, ctx.decimal(el, 'id', true, end), 'channel_id_out_of_range');
  if (end.id === undefined) end.invalid.add('id');
  end.notify = ctx.bool(el, 'notify', true, end);
  end.pp = ctx.bool(el, 'pp', false, end);
  end.setvarId = attr(el, 'setvar_id')?.value;
  if (pd) {
    if (pds.has(pd.value)) {
      end.pd = pd.value;
    } else {
      const guess = suggest(pd.value, pds.keys());
      ctx.valueError('channel_end_unknown_pd', el, `invalid PD name '${pd.value}'`, {
        span: pd.valueSpan,
        hint: guess ? `did you mean '${guess}'?` : 'name a protection_domain declared in this system',
      });
    }
  }
  return end;
}
