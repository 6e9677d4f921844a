import type { Element } from '../element.js';
import { attr } from '../element.js';
import type { ProtectionDomain, Setvar, SetvarKind } from '../model.js';
import type { SdfContext } from './context.js';

/**
 * Record that `symbol` of `pd`'s image is patched. All setvar forms of one PD share one
 * namespace (spec: sdf.md §5.6); a clash is reported on `reportOn` (the reference's element).
 */
export function addSetvarSymbol(ctx: SdfContext, pd: ProtectionDomain, symbol: string, kind: SetvarKind, source: Element, attrName: string | undefined, reportOn: Element = source): boolean {
  const span = (attrName !== undefined ? attr(source, attrName)?.valueSpan : undefined) ?? source.nameSpan;
  const earlier = pd.setvarSymbols.get(symbol);
  if (earlier) {
    ctx.valueError('setvar_duplicate_symbol', reportOn, `setvar on symbol '${symbol}' already exists`, {
      span,
      notes: [{ message: `'${symbol}' is first patched here`, file: ctx.file, span: earlier.span }],
      hint: `each symbol of a PD's program image can be patched by only one setvar`,
    });
    return false;
  }
  pd.setvarSymbols.set(symbol, { kind, span });
  return true;
}

/** `<setvar symbol="…" region_paddr="…"/>` (spec: sdf.md §3.6). */
export function readSetvar(ctx: SdfContext, el: Element, pd: ProtectionDomain): Setvar {
  const sv: Setvar = { element: el, invalid: new Set(), symbol: undefined, regionPaddr: undefined };
  ctx.checkAttributes(el, ['symbol', 'region_paddr'], {
    vaddr: {
      code: 'setvar_legacy_vaddr',
      hint: `<setvar vaddr> is gone: to get a mapping's address write setvar_vaddr="${attr(el, 'symbol')?.value ?? 'symbol'}" on the <map>`,
    },
  });
  const symbol = attr(el, 'symbol');
  if (!symbol) ctx.missing(el, 'symbol');
  const region = attr(el, 'region_paddr');
  // The legacy <setvar vaddr> form was reported above; its region_paddr is not missing, it is moot.
  if (!region && !attr(el, 'vaddr')) ctx.missing(el, 'region_paddr');
  sv.symbol = symbol?.value;
  sv.regionPaddr = region?.value;
  if (symbol && region) addSetvarSymbol(ctx, pd, symbol.value, 'region_paddr', el, 'symbol');
  return sv;
}
