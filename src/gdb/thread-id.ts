import type { ThreadId } from './target.js';

/**
 * Thread ids of the multiprocess extensions: `p<pid>.<tid>` in hex, where −1 means all and 0
 * means any; `p<pid>` alone means all threads of the process. A bare `<tid>` (no `p`) is
 * accepted too, as GDB sends it without multiprocess.
 */
export type ThreadSelector = { pid: number; tid: number };

export const ALL = -1;
export const ANY = 0;

function part(text: string): number | undefined {
  if (text === '-1') return ALL;
  if (!/^[0-9a-fA-F]+$/.test(text)) return undefined;
  return parseInt(text, 16);
}

export function parseThreadId(text: string): ThreadSelector | undefined {
  if (text.startsWith('p')) {
    const [p, t] = text.slice(1).split('.');
    const pid = part(p ?? '');
    const tid = t === undefined ? ALL : part(t);
    return pid === undefined || tid === undefined ? undefined : { pid, tid };
  }
  const tid = part(text);
  return tid === undefined ? undefined : { pid: ANY, tid };
}

export function formatThreadId(t: ThreadId): string {
  return `p${t.pid.toString(16)}.${t.tid.toString(16)}`;
}

/** Whether a selector (with −1/0 wildcards) names thread `t`. */
export function selects(s: ThreadSelector, t: ThreadId): boolean {
  return (s.pid === ALL || s.pid === ANY || s.pid === t.pid) && (s.tid === ALL || s.tid === ANY || s.tid === t.tid);
}
