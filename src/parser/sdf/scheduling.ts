import type { DiagnosticCode } from '../../diagnostics/codes.js';
import type { Element } from '../element.js';
import type { Entity } from '../model.js';
import type { SdfContext } from './context.js';

/** The MCS budget default, in microseconds. */
const DEFAULT_BUDGET = 1000n;

/**
 * `budget` (default 1000 µs) and `period` (default: the budget), with budget ≤ period.
 */
export function budgetAndPeriod(ctx: SdfContext, el: Element, entity: Entity, code: DiagnosticCode): { budget: bigint; period: bigint } {
  const b = ctx.number(el, 'budget', entity);
  const budget = typeof b === 'bigint' ? b : DEFAULT_BUDGET;
  const p = ctx.number(el, 'period', entity);
  const period = typeof p === 'bigint' ? p : budget;
  if (typeof b !== 'object' && typeof p !== 'object' && budget > period) {
    entity.invalid.add('budget');
    ctx.valueError(code, el, `budget (${budget}) must be less than, or equal to, period (${period})`, {
      span: ctx.valueSpan(el, 'budget'),
      hint: 'a budget is the time a thread may run within each period; raise the period or lower the budget',
    });
  }
  return { budget, period };
}
