// A policy of `rules` rules for scripts/generate-system.ts's system of `pds` PDs, for the bench:
// mostly no_flow and flow_only_via rules (each a search over every flow), an isolate rule,
// regions and limits. On that system (every PD reaches every other) the flow rules fail, so
// each also finds its shortest path: the costly case.

export function generatePolicy(pds: number, rules = 100): string {
  const out = ['isolate:', `  - [${Array.from({ length: pds >> 1 }, (_, i) => `pd${i}`).join(', ')}]`, `  - [pd${pds - 1}]`];
  out.push('regions:', `  shared: { pd0: rw, ${Array.from({ length: pds - 1 }, (_, i) => `pd${i + 1}: r`).join(', ')} }`, '  pd0_mr0: { pd0: rw }');
  out.push('limits:', '  "*": { max_priority: 254, max_budget: 1000 }');
  const flowRules = rules - 4;
  const onlyVia = Math.floor(flowRules / 4);
  out.push('flow_only_via:');
  for (let i = 0; i < onlyVia; i++) out.push(`  - { from: pd${(i * 7) % pds}, to: pd${(i * 11 + 5) % pds}, via: [pd${(i * 13 + 1) % pds}, pd${(i * 17 + 2) % pds}] }`);
  out.push('no_flow:');
  for (let i = 0; i < flowRules - onlyVia; i++) out.push(`  - { from: pd${(i * 5) % pds}, to: pd${(i * 3 + 1 + (i % 2)) % pds} }`);
  return `${out.join('\n')}\n`;
}
