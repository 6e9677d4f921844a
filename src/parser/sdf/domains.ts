import type { Element } from '../element.js';
import { attr, childElements } from '../element.js';
import type { Domain, Domains, DomainSchedule, ScheduleEntry } from '../model.js';
import { parseSdfNumber } from '../numbers.js';
import type { SdfContext } from './context.js';
import { suggest } from './suggest.js';

/** `<domains>` with its `<domain>`s and `<domain_schedule>` (spec: sdf.md §3.13, §5.3b). */
export function readDomains(ctx: SdfContext, el: Element, earlier: Domains | undefined): Domains | undefined {
  if (earlier && earlier.domains.length > 0) {
    ctx.valueError('domains_duplicate', el, 'domains must only be specified once', {
      span: el.nameSpan,
      notes: [{ message: 'the first <domains> is here', file: ctx.file, span: earlier.element.nameSpan }],
    });
    return undefined;
  }
  ctx.checkAttributes(el, []);
  if (ctx.config.numCores !== 1) {
    ctx.report('domains_multicore', 'the domain scheduler is not supported in multicore builds of seL4', {
      reference: 'Error: The domain scheduler is not supported in multicore builds of seL4',
      span: el.nameSpan,
    });
    return undefined;
  }
  const result: Domains = { element: el, invalid: new Set(), domains: [], schedule: undefined };
  let scheduleElement: Element | undefined;
  for (const child of childElements(el)) {
    if (child.tag === 'domain') {
      const d = readDomain(ctx, child, result.domains);
      if (d) result.domains.push(d);
    } else if (child.tag === 'domain_schedule') {
      if (scheduleElement) {
        ctx.valueError('domain_schedule_duplicate', child, 'The <domain_schedule> element can only appear once', {
          span: child.nameSpan,
          notes: [{ message: 'the first <domain_schedule> is here', file: ctx.file, span: scheduleElement.nameSpan }],
        });
      } else {
        scheduleElement = child;
      }
    } else {
      ctx.report('domains_invalid_child', `invalid XML element as child of <domains> '${child.tag}'`, {
        reference: `Error: invalid XML element as child of <domains> '${child.tag}': ${ctx.loc(child)}`,
        span: child.nameSpan,
        hint: '<domains> takes <domain> elements and one <domain_schedule>',
      });
    }
  }
  if (!scheduleElement) {
    ctx.valueError('domain_schedule_missing', el, 'The <domain_schedule> element must appear once', {
      span: el.nameSpan,
      hint: 'add <domain_schedule> with a <schedule_entry domain="…" duration="1000 us"/> per slot',
    });
  }
  // Domains without an id get the lowest free id, searching 0..=num_domains (inclusive, as the
  // reference does), in document order.
  const used = new Set(result.domains.flatMap((d) => (d.id !== undefined ? [d.id] : [])));
  for (const d of result.domains) {
    if (d.id !== undefined || d.invalid.has('id')) continue;
    let free = 0;
    while (free <= ctx.config.numDomains && used.has(free)) free++;
    if (free > ctx.config.numDomains) {
      ctx.valueError('domains_too_many', el, `Number of domains exceeds ${ctx.config.numDomains}`, { span: d.element.nameSpan });
      break;
    }
    d.id = free;
    used.add(free);
  }
  if (scheduleElement) result.schedule = readSchedule(ctx, scheduleElement, result.domains);
  return result;
}

function readDomain(ctx: SdfContext, el: Element, earlier: Domain[]): Domain | undefined {
  const d: Domain = { element: el, invalid: new Set(), name: undefined, id: undefined };
  ctx.checkAttributes(el, ['name', 'id']);
  const name = attr(el, 'name');
  if (!name) {
    ctx.missing(el, 'name');
    return undefined;
  }
  d.name = name.value;
  const id = ctx.number(el, 'id', d);
  if (typeof id === 'bigint') {
    if (id >= BigInt(ctx.config.numDomains)) {
      d.invalid.add('id');
      ctx.valueError('domain_id_out_of_range', el, `domain id ${id} should be less than the configured KernelNumDomains value of ${ctx.config.numDomains}`, {
        span: ctx.valueSpan(el, 'id'),
      });
    } else {
      d.id = Number(id);
    }
  }
  const sameName = earlier.find((e) => e.name === d.name);
  if (sameName) {
    const prev = sameName.id === undefined ? 'None' : `Some(${sameName.id})`;
    ctx.valueError('domain_duplicate_name', el, `Each <domain>'s name element must be unique found existing domain '${d.name}' with id '${prev}'`, {
      span: name.valueSpan,
      notes: [{ message: 'first declared here', file: ctx.file, span: sameName.element.nameSpan }],
    });
    return undefined;
  }
  const sameId = d.id !== undefined ? earlier.find((e) => e.id === d.id) : undefined;
  if (sameId) {
    ctx.valueError('domain_duplicate_id', el, `Each <domain>'s id element must be unique found existing domain '${sameId.name}' with id '${d.id}'`, {
      span: ctx.valueSpan(el, 'id'),
      notes: [{ message: `id ${d.id} is first used here`, file: ctx.file, span: sameId.element.nameSpan }],
    });
    return undefined;
  }
  return d;
}

function readSchedule(ctx: SdfContext, el: Element, domains: Domain[]): DomainSchedule {
  const schedule: DomainSchedule = { element: el, invalid: new Set(), startIndex: 0n, indexShift: undefined, entries: [] };
  ctx.checkAttributes(el, ['index_shift', 'start_index']);
  const start = ctx.number(el, 'start_index', schedule);
  if (typeof start === 'bigint') schedule.startIndex = start;
  const shift = ctx.number(el, 'index_shift', schedule);
  if (typeof shift === 'bigint') schedule.indexShift = shift;
  const names = domains.flatMap((d) => (d.name ? [d.name] : []));
  for (const child of childElements(el)) {
    if (child.tag === 'schedule_entry') {
      const entry = readScheduleEntry(ctx, child, names);
      if (entry) schedule.entries.push(entry);
    } else if (child.tag === 'schedule_end_marker') {
      ctx.checkAttributes(child, []);
      schedule.entries.push({ element: child, invalid: new Set(), kind: 'end_marker' });
    } else {
      ctx.report('domain_schedule_invalid_child', `invalid XML element as child of <domain_schedule> '${child.tag}'`, {
        reference: `Error: invalid XML element as child of <domain_schedule> '${child.tag}': ${ctx.loc(child)}`,
        span: child.nameSpan,
        hint: '<domain_schedule> takes <schedule_entry> and <schedule_end_marker>',
      });
    }
  }
  const n = BigInt(ctx.config.numDomainSchedules);
  const len = BigInt(schedule.entries.length);
  if (len >= n) {
    ctx.report('domain_schedule_too_long', `more than ${n - 1n} schedule entries: the kernel is configured with KernelNumDomainSchedules ${n}`, {
      reference: `More than configured KernelNumDomainSchedules ${n} number of <schedule_entry> elements found`,
      span: el.nameSpan,
    });
  }
  if (typeof start === 'bigint' && start >= len) {
    ctx.valueError('domain_schedule_start_index_out_of_range', el, `schedule_start_index '${start}' is greater than the length of the schedule '${len}'`, {
      span: ctx.valueSpan(el, 'start_index'),
    });
  }
  if (typeof shift === 'bigint' && shift + len >= n) {
    // The reference prints the start index here, not the shift (kept for compatibility).
    ctx.valueError('domain_schedule_index_shift_out_of_range', el, `schedule_index_shift '${schedule.startIndex}' on top of the schedule length '${len}' would exceed than the configured KernelNumDomainSchedules ${n}`, {
      span: ctx.valueSpan(el, 'index_shift'),
      hint: `index_shift is ${shift}; index_shift + entries must be below ${n}`,
    });
  }
  return schedule;
}

function readScheduleEntry(ctx: SdfContext, el: Element, names: string[]): ScheduleEntry | undefined {
  ctx.checkAttributes(el, ['domain', 'duration']);
  const domain = attr(el, 'domain');
  if (!domain) ctx.missing(el, 'domain');
  const duration = attr(el, 'duration');
  if (!duration) ctx.missing(el, 'duration');
  if (!domain || !duration) return undefined;
  let ok = true;
  if (!names.includes(domain.value)) {
    ok = false;
    const guess = suggest(domain.value, names);
    ctx.valueError('schedule_entry_domain_unknown', el, `domain '${domain.value}' does not exist,`, {
      span: domain.valueSpan,
      ...(guess ? { hint: `did you mean '${guess}'?` } : {}),
    });
  }
  const text = duration.value;
  const space = text.indexOf(' ');
  if (space < 0) {
    ctx.valueError('schedule_entry_duration_invalid', el, `The duration '${text}' must contain a value and a unit, e.g. '1000 us'`, { span: duration.valueSpan });
    return undefined;
  }
  const valueText = text.slice(0, space);
  const unit = text.slice(space + 1);
  const v = parseSdfNumber(valueText);
  if (!v.ok) {
    ctx.report('number_invalid', `failed to parse integer '${valueText}' for 'duration' on element 'schedule_entry': ${v.reason}`, {
      reference: `Error: failed to parse integer '${valueText}' on element 'schedule_entry': ${v.reason}`,
      span: duration.valueSpan,
    });
    return undefined;
  }
  if (v.value === 0n) {
    ctx.valueError('schedule_entry_duration_invalid', el, `The duration '${text}' must be non-zero`, { span: duration.valueSpan });
    return undefined;
  }
  if (unit !== 'us' && unit !== 'ticks') {
    ctx.valueError('schedule_entry_duration_invalid', el, `The duration '${text}' must be in either 'ticks' or 'us'`, { span: duration.valueSpan });
    return undefined;
  }
  if (!ok) return undefined;
  return { element: el, invalid: new Set(), kind: 'entry', domain: domain.value, duration: v.value, unit };
}
