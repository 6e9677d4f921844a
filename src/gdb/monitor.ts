import { cspaceWords } from '../cli/run/trace-caps.js';
import type { Spec } from '../compiler/spec/types.js';
import { EndpointObject, THREAD_STATE_NAMES, type TcbObject } from '../kernel/objects.js';
import { ticksToUs, type KernelState } from '../kernel/state.js';
import type { Machine } from '../machine/machine.js';

/**
 * GDB's `monitor` commands: seL4's view of the system the debugger cannot see by itself.
 *   pds                      every thread: state, priority, budget/period, what it waits on
 *   caps PD                  a PD's CSpace in the system description's words
 *   trace syscalls on|off    system-call trace lines (on sel4ts's standard error)
 *   time                     virtual time
 *   jit                      how many of the retired instructions compiled code ran
 *   fault                    the fault the run is stopped before (sel4-target.ts)
 */
export interface MonitorContext {
  machine: Machine;
  k: KernelState;
  spec: Spec;
  /** Turn the system-call trace on or off (the CLI owns where its lines go). */
  traceSyscalls(on: boolean): void;
}

const HELP = 'monitor commands: pds, caps PD, trace syscalls on|off, time, jit, fault\n';

export function monitorCommand(ctx: MonitorContext, command: string): string {
  const words = command.split(/\s+/).filter((w) => w !== '');
  switch (words[0]) {
    case 'pds':
      return pds(ctx);
    case 'caps':
      return words.length === 2 ? caps(ctx, words[1]!) : 'usage: monitor caps PD\n';
    case 'time':
      return `${formatTime(ctx.machine.cycles)} (${ctx.machine.cycles} cycles, ${ctx.machine.cpu.icount} instructions)\n`;
    case 'jit': {
      const cpu = ctx.machine.cpu;
      return `compiled code ${cpu.blocksEnabled ? 'on' : 'off (--no-jit)'}: ${cpu.compiledIcount} of ${cpu.icount} instructions retired compiled\n`;
    }
    case 'trace':
      if (words[1] === 'syscalls' && (words[2] === 'on' || words[2] === 'off')) {
        ctx.traceSyscalls(words[2] === 'on');
        return `system-call trace ${words[2]}\n`;
      }
      return 'usage: monitor trace syscalls on|off\n';
    case undefined:
    case 'help':
      return HELP;
    default:
      return `unknown monitor command '${words[0]}'; ${HELP}`;
  }
}

/** Virtual time: cycles at 1 GHz are nanoseconds. */
function formatTime(cycles: number): string {
  return `virtual time ${(cycles / 1e6).toFixed(6)} ms`;
}

function waitsOn(t: TcbObject): string {
  const o = t.blockingObject;
  if (!o) return '';
  return ` on ${o instanceof EndpointObject ? 'endpoint' : 'notification'} 0x${o.paddr.toString(16)}`;
}

function pds(ctx: MonitorContext): string {
  const rows = [...ctx.k.debugTcbs].reverse().filter((t) => t !== ctx.k.idleThread);
  const lines = rows.map((t) => {
    const sc = t.sc;
    const budget = sc ? ` budget ${ticksToUs(sc.budget)} us period ${ticksToUs(sc.period)} us` : ' passive';
    const running = t === ctx.k.curThread ? ' (on the CPU)' : '';
    return `${(t.name || '?').padEnd(16)} ${THREAD_STATE_NAMES[t.state]}${waitsOn(t)}${running}, priority ${t.priority},${budget}`;
  });
  return `${lines.join('\n')}\n`;
}

function caps(ctx: MonitorContext, pd: string): string {
  const words = cspaceWords(ctx.spec).get(pd);
  if (!words) return `no PD '${pd}' (${ctx.spec.pds.map((p) => p.name).join(', ')})\n`;
  const lines: string[] = [];
  for (const [slot, w] of [...words.root].sort((a, b) => a[0] - b[0])) lines.push(`root slot ${slot}: ${w.words}`);
  for (const [slot, w] of [...words.cnode].sort((a, b) => a[0] - b[0])) lines.push(`cptr ${slot}: ${w.words}`);
  return `${lines.join('\n')}\n`;
}
