import { UsageError } from '../io.js';

/**
 * QEMU's option syntax, `key=value,key=value` (without its `,,` escape), as the pairs in order
 * (a key may repeat: `--netdev user,hostfwd=…,hostfwd=…`). A first part without `=` is the value
 * of `first` (`--drive disk.img,…`, `--netdev pcap,…`) when the option has one.
 */
export function keyValuePairs(option: string, text: string, first?: string): [string, string][] {
  return text.split(',').map((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0 && i === 0 && first !== undefined) return [first, part];
    if (eq < 0) throw new UsageError(`${option} '${text}': '${part}' is not KEY=VALUE`);
    return [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/** The same as a map (a repeated key keeps its last value). */
export function keyValues(option: string, text: string, first?: string): Map<string, string> {
  return new Map(keyValuePairs(option, text, first));
}

/** An `on`/`off` switch; absent is off. */
export function onOff(option: string, key: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`${option} ${key}=${value}: give on or off`);
}
