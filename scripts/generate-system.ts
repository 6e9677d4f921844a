// Generates a valid system at Microkit's limits: `pds` protection domains, each using all 62
// channel ids, each with several maps, with PPC channels where priorities allow.

const MAX_IDS = 62;

export function generateSystem(pds: number, mapsPerPd = 4): string {
  const used = new Array<number>(pds).fill(0);
  const channels: string[] = [];
  const channel = (a: number, b: number, pp: boolean): void => {
    channels.push(`    <channel>\n        <end pd="pd${a}" id="${used[a]!++}"${pp ? ' pp="true"' : ''} />\n        <end pd="pd${b}" id="${used[b]!++}" />\n    </channel>`);
  };
  for (let added = true; added; ) {
    added = false;
    for (let a = 0; a < pds; a++) {
      for (let b = a + 1; b < pds; b++) {
        if (used[a]! < MAX_IDS && used[b]! < MAX_IDS) {
          // PD a has the lower priority, so it may call b.
          channel(a, b, channels.length % 3 === 0);
          added = true;
        }
      }
    }
  }
  for (let a = 0; a < pds; a++) while (MAX_IDS - used[a]! >= 2) channel(a, a, false);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<system>'];
  out.push('    <memory_region name="shared" size="0x200_000" />');
  for (let p = 0; p < pds; p++) {
    for (let m = 0; m < mapsPerPd; m++) out.push(`    <memory_region name="pd${p}_mr${m}" size="0x${(0x1000 * (m + 1)).toString(16)}" />`);
  }
  for (let p = 0; p < pds; p++) {
    out.push(`    <protection_domain name="pd${p}" priority="${p + 1}" budget="${100 + p}" period="1000">`);
    out.push(`        <program_image path="pd${p}.elf" />`);
    out.push(`        <map mr="shared" vaddr="0x2000_0000" perms="${p === 0 ? 'rw' : 'r'}" setvar_vaddr="shared" />`);
    for (let m = 0; m < mapsPerPd; m++) {
      out.push(`        <map mr="pd${p}_mr${m}" vaddr="0x${(0x1000_0000 + m * 0x10_0000).toString(16)}" perms="rw" setvar_vaddr="mr${m}" />`);
    }
    out.push('    </protection_domain>');
  }
  out.push(...channels, '</system>', '');
  return out.join('\n');
}
