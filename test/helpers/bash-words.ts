import { spawnSync } from 'node:child_process';

/** The words bash makes of `text` (quotes, $'…' escapes and all), one NUL-terminated string each. */
export function bashWords(text: string): string[] {
  const r = spawnSync('bash', ['-c', `set -- ${text}\nfor a; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bash cannot read ${JSON.stringify(text)}: ${r.stderr}`);
  return r.stdout.split('\0').slice(0, -1);
}
