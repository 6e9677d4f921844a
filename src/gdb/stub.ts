import { framePacket, fromHex, leHex, PacketReader, parseLeHex, toHex } from './packet.js';
import { REG, registerSize, type GdbTarget, type PointKind, type StopEvent, type TargetThread, type ThreadId } from './target.js';
import { TARGET_XML } from './target-xml.js';
import { ALL, ANY, formatThreadId, parseThreadId, selects, type ThreadSelector } from './thread-id.js';

/** GDB's signal numbers (gdb/signals.def), as stop replies carry them. */
export const SIGNAL = { SIGINT: 2, SIGILL: 4, SIGTRAP: 5, SIGBUS: 7, SIGSEGV: 11 } as const;

/** The most bytes GDB may send in one packet (qSupported's PacketSize, hex). */
const PACKET_SIZE = 0x4000;

/**
 * The GDB Remote Serial Protocol server: reads packets from the wire (`receive`), answers them
 * through `send`, and drives a `GdbTarget`. One client at a time; browser-safe (no I/O of its
 * own). Unknown packets get the empty reply, malformed ones an `E` reply: never an exception.
 */
export class GdbStub {
  private readonly reader = new PacketReader();
  private ackMode = true;
  /** Hg: the thread registers and memory are read from. */
  private general: ThreadSelector = { pid: ANY, tid: ANY };
  /** The last stop, for `?`; undefined while the target runs. */
  private lastStop: StopEvent | undefined;
  private running = false;
  /** Processes already reported exited after the run ended. */
  private readonly exitedReported = new Set<number>();
  /** Set when the client detached or killed: the session is over. */
  closed = false;

  constructor(
    private readonly target: GdbTarget,
    private readonly send: (bytes: Uint8Array) => void,
    /** The stop the target is in when the client connects. */
    initialStop: StopEvent,
  ) {
    this.lastStop = initialStop;
  }

  /** Bytes from the client. */
  receive(chunk: Uint8Array): void {
    for (const event of this.reader.push(chunk)) {
      if (event.kind === 'bad-checksum') {
        if (this.ackMode) this.send(Uint8Array.of(0x2d));
      } else if (event.kind === 'interrupt') {
        if (this.running) this.target.interrupt();
      } else if (event.kind === 'packet') {
        if (this.ackMode) this.send(Uint8Array.of(0x2b));
        const body = latin1(event.body);
        let reply: string | undefined;
        try {
          reply = this.handle(body, event.body);
        } catch (e) {
          // A handler bug must not take the run down with it: GDB sees an error reply.
          reply = `E.${utf8(e instanceof Error ? e.message : String(e))}`;
        }
        if (reply !== undefined) this.reply(reply);
        if (body === 'QStartNoAckMode') this.ackMode = false;
      }
    }
  }

  /** The target stopped (after `resume`): send the stop reply. */
  stopped(event: StopEvent): void {
    if (!this.running) return;
    this.running = false;
    this.lastStop = event;
    if (event.kind === 'signal') this.general = { pid: event.thread.pid, tid: event.thread.tid };
    this.reply(this.stopReply(event));
  }

  /** A reply: its characters are bytes (binary `qXfer` objects; text is UTF-8 already, see `utf8`). */
  private reply(text: string): void {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    this.send(framePacket(bytes));
  }

  /** Answer one packet; undefined when the answer comes later (a stop reply). */
  handle(body: string, raw: Uint8Array): string | undefined {
    const t = this.target;
    switch (body[0]) {
      case '?':
        return this.lastStop ? this.stopReply(this.lastStop) : 'OK';
      case '!':
        return 'OK';
      case 'g':
        return this.readAllRegisters();
      case 'G':
        return this.writeAllRegisters(body.slice(1));
      case 'p':
        return this.readRegister(body.slice(1));
      case 'P':
        return this.writeRegister(body.slice(1));
      case 'm':
        return this.readMemory(body.slice(1));
      case 'M':
        return this.writeMemory(body.slice(1));
      case 'X':
        return this.writeBinary(raw);
      case 'H':
        return this.setThread(body.slice(1));
      case 'T': {
        const s = parseThreadId(body.slice(1));
        return s && t.threads().some((th) => selects(s, th)) ? 'OK' : 'E01';
      }
      case 'Z':
      case 'z':
        return this.point(body);
      case 'c':
        return this.resume(undefined);
      case 's':
        return this.resume(this.generalThread());
      case 'D':
        this.closed = true;
        t.detach();
        return 'OK';
      case 'k':
        this.closed = true;
        t.kill();
        return undefined;
      case 'q':
      case 'Q':
        return this.query(body);
      case 'v':
        return this.vPacket(body);
      default:
        return '';
    }
  }

  private query(body: string): string {
    if (body.startsWith('qSupported')) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;qXfer:threads:read+;qXfer:exec-file:read+;qXfer:osdata:read+;qXfer:siginfo:read+;multiprocess+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+`;
    }
    if (body === 'QStartNoAckMode') return 'OK';
    if (body === 'qAttached' || body.startsWith('qAttached:')) return '1';
    if (body === 'qC') return this.lastStop?.kind === 'signal' ? `QC${formatThreadId(this.lastStop.thread)}` : '';
    if (body === 'qfThreadInfo') return `m${this.target.threads().map(formatThreadId).join(',')}`;
    if (body === 'qsThreadInfo') return 'l';
    if (body === 'qSymbol::') return 'OK';
    if (body.startsWith('qThreadExtraInfo,')) {
      const s = parseThreadId(body.slice('qThreadExtraInfo,'.length));
      const th = s && this.target.threads().find((x) => selects(s, x));
      return th ? toHex(new TextEncoder().encode(th.name)) : 'E01';
    }
    if (body.startsWith('qXfer:features:read:')) return this.xfer(body.slice('qXfer:features:read:'.length), (annex) => (annex === 'target.xml' ? TARGET_XML : undefined));
    if (body.startsWith('qXfer:threads:read:')) return this.xfer(body.slice('qXfer:threads:read:'.length), (annex) => (annex === '' ? this.threadsXml() : undefined));
    if (body.startsWith('qXfer:exec-file:read:')) return this.xfer(body.slice('qXfer:exec-file:read:'.length), (annex) => this.executable(annex));
    if (body.startsWith('qXfer:siginfo:read:')) return this.xferBytes(body.slice('qXfer:siginfo:read:'.length), (annex) => (annex === '' ? this.siginfo() : undefined));
    if (body.startsWith('qXfer:osdata:read:'))
      return this.xfer(body.slice('qXfer:osdata:read:'.length), (annex) => {
        const xml = osdataXml(annex, this.target.threads());
        return xml === undefined ? undefined : utf8(xml);
      });
    if (body.startsWith('qRcmd,')) {
      const command = fromHex(body.slice('qRcmd,'.length));
      if (!command) return 'E01';
      const out = this.target.monitor(latin1(command).trim());
      return out === '' ? 'OK' : toHex(new TextEncoder().encode(out));
    }
    return '';
  }

  /** `annex:offset,length`: a window of the object, `m` (more) or `l` (last) first. */
  private xfer(args: string, object: (annex: string) => string | undefined): string {
    const m = /^([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    if (!m) return 'E00';
    const text = object(m[1]!);
    if (text === undefined) return 'E00';
    const offset = parseInt(m[2]!, 16);
    const length = parseInt(m[3]!, 16);
    const chunk = text.slice(offset, offset + length);
    return (offset + length >= text.length ? 'l' : 'm') + chunk;
  }

  /** Binary objects (escaped on the wire by `framePacket`), as `xfer` serves text. */
  private xferBytes(args: string, object: (annex: string) => Uint8Array | undefined): string {
    const text = (annex: string) => {
      const bytes = object(annex);
      return bytes === undefined ? undefined : latin1(bytes);
    };
    return this.xfer(args, text);
  }

  /**
   * The stopped thread's siginfo, as Linux lays out siginfo_t on AArch64 (128 bytes): si_signo,
   * si_errno, si_code (ints), padding, then si_addr for a fault. Only for a fault stop.
   */
  private siginfo(): Uint8Array | undefined {
    const stop = this.lastStop;
    if (stop?.kind !== 'signal' || stop.siginfo === undefined) return undefined;
    const out = new Uint8Array(128);
    const v = new DataView(out.buffer);
    v.setInt32(0, stop.signal, true);
    v.setInt32(8, stop.siginfo.code, true);
    v.setBigUint64(16, stop.siginfo.address, true);
    return out;
  }

  /** The ELF a process runs: the annex is its pid in hex, or empty for the current one. */
  private executable(annex: string): string | undefined {
    if (annex !== '' && !/^[0-9a-fA-F]+$/.test(annex)) return undefined;
    const pid = annex === '' ? this.pid() : parseInt(annex, 16);
    return this.target.threads().find((th) => th.pid === pid)?.executable;
  }

  private threadsXml(): string {
    const rows = this.target.threads().map((th) => `<thread id="${formatThreadId(th)}" name="${escapeXml(th.name)}"/>`);
    return utf8(`<?xml version="1.0"?><threads>${rows.join('')}</threads>`);
  }

  private vPacket(body: string): string | undefined {
    if (body === 'vCont?') return 'vCont;c;C;s;S;t';
    if (body.startsWith('vCont;')) return this.vCont(body.slice('vCont;'.length));
    if (body === 'vMustReplyEmpty') return '';
    if (body.startsWith('vKill')) {
      this.closed = true;
      this.target.kill();
      return 'OK';
    }
    return '';
  }

  /**
   * `vCont;action[:thread];…`: the first action that applies to a thread wins. A step of one
   * thread runs one instruction; anything else (continue, or `t` stop for threads already
   * stopped) runs the whole system, since all PDs share the one CPU.
   */
  private vCont(args: string): string | undefined {
    let step: ThreadId | undefined;
    let any = false;
    for (const action of args.split(';')) {
      const [verb, thread] = action.split(':');
      if (!verb || !/^([cst]|[CS][0-9a-fA-F]{2})$/.test(verb)) return 'E01';
      if (verb === 't') continue;
      any = true;
      if (verb[0] === 's' || verb[0] === 'S') {
        const s = thread === undefined ? this.general : parseThreadId(thread);
        if (!s) return 'E01';
        const th = this.target.threads().find((x) => selects(s, x));
        if (!th) return 'E01';
        step ??= th;
      }
    }
    if (!any) return 'OK';
    return this.resume(step);
  }

  private resume(step: ThreadId | undefined): string | undefined {
    if (this.lastStop?.kind === 'exited') return this.nextExit(this.lastStop.code);
    this.running = true;
    this.lastStop = undefined;
    this.target.resume(step);
    return undefined;
  }

  /** After the run ended, each resume reports one more process gone, then the whole target. */
  private nextExit(code: number): string {
    const next = this.target.threads().find((th) => !this.exitedReported.has(th.pid));
    if (!next) return `W${hexByte(code)}`;
    this.exitedReported.add(next.pid);
    return `W${hexByte(code)};process:${next.pid.toString(16)}`;
  }

  private stopReply(event: StopEvent): string {
    if (event.kind === 'exited') return this.nextExit(event.code);
    let r = `T${hexByte(event.signal)}`;
    if (event.watch) r += `${event.watch.kind}:${event.watch.address.toString(16)};`;
    if (event.breakpoint) r += `${event.breakpoint}:;`;
    return `${r}thread:${formatThreadId(event.thread)};`;
  }

  private setThread(args: string): string {
    const s = parseThreadId(args.slice(1));
    if (!s) return 'E01';
    if (s.pid !== ALL && s.pid !== ANY && s.tid !== ALL && !this.target.threads().some((th) => selects(s, th))) return 'E01';
    if (args[0] === 'g') this.general = s;
    return 'OK';
  }

  /** The thread Hg selected (the first that matches; the stopped one for "any"). */
  private generalThread(): ThreadId | undefined {
    const s = this.general;
    const stop = this.lastStop;
    if (stop?.kind === 'signal' && selects(s, stop.thread)) return stop.thread;
    return this.target.threads().find((th) => selects(s, th));
  }

  private readAllRegisters(): string {
    const th = this.generalThread();
    if (!th) return 'E01';
    let out = '';
    for (let n = 0; n < REG.COUNT; n++) {
      const v = this.target.readRegister(th, n);
      out += v === undefined ? 'xx'.repeat(registerSize(n)) : leHex(v, registerSize(n));
    }
    return out;
  }

  private writeAllRegisters(hex: string): string {
    const th = this.generalThread();
    if (!th) return 'E01';
    let at = 0;
    for (let n = 0; n < REG.COUNT && at < hex.length; n++) {
      const size = registerSize(n) * 2;
      const v = parseLeHex(hex.slice(at, at + size));
      if (v === undefined) return 'E01';
      this.target.writeRegister(th, n, v);
      at += size;
    }
    return 'OK';
  }

  private readRegister(args: string): string {
    const th = this.generalThread();
    const n = parseInt(args, 16);
    if (!th || !/^[0-9a-fA-F]+$/.test(args) || n >= REG.COUNT) return 'E01';
    const v = this.target.readRegister(th, n);
    return v === undefined ? 'E01' : leHex(v, registerSize(n));
  }

  private writeRegister(args: string): string {
    const m = /^([0-9a-fA-F]+)=([0-9a-fA-F]+)$/.exec(args);
    const th = this.generalThread();
    if (!m || !th) return 'E01';
    const n = parseInt(m[1]!, 16);
    const v = parseLeHex(m[2]!);
    if (n >= REG.COUNT || v === undefined) return 'E01';
    return this.target.writeRegister(th, n, v) ? 'OK' : 'E01';
  }

  private pid(): number | undefined {
    return this.generalThread()?.pid;
  }

  private readMemory(args: string): string {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    const pid = this.pid();
    if (!m || pid === undefined) return 'E01';
    const length = Math.min(parseInt(m[2]!, 16), PACKET_SIZE / 2);
    const bytes = this.target.readMemory(pid, BigInt(`0x${m[1]}`), length);
    return bytes.length === 0 && length > 0 ? 'E14' : toHex(bytes);
  }

  private writeMemory(args: string): string {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(args);
    const pid = this.pid();
    if (!m || pid === undefined) return 'E01';
    const bytes = fromHex(m[3]!);
    if (!bytes || bytes.length !== parseInt(m[2]!, 16)) return 'E01';
    return this.target.writeMemory(pid, BigInt(`0x${m[1]}`), bytes) ? 'OK' : 'E14';
  }

  private writeBinary(raw: Uint8Array): string {
    const colon = raw.indexOf(0x3a);
    const m = colon < 0 ? null : /^X([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(latin1(raw.subarray(0, colon)));
    const pid = this.pid();
    if (!m || pid === undefined) return 'E01';
    const bytes = raw.subarray(colon + 1);
    if (bytes.length !== parseInt(m[2]!, 16)) return 'E01';
    if (bytes.length === 0) return 'OK';
    return this.target.writeMemory(pid, BigInt(`0x${m[1]}`), bytes) ? 'OK' : 'E14';
  }

  /** `Z type,addr,kind` / `z type,addr,kind` in the process Hg selected. */
  private point(body: string): string {
    const m = /^[Zz]([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)/.exec(body);
    const pid = this.pid();
    if (!m || pid === undefined) return 'E01';
    const kind = Number(m[1]) as PointKind;
    const address = BigInt(`0x${m[2]}`);
    const length = parseInt(m[3]!, 16);
    const ok = body[0] === 'Z' ? this.target.insertPoint(kind, pid, address, length) : this.target.removePoint(kind, pid, address, length);
    return ok ? 'OK' : 'E01';
  }
}

function hexByte(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

/** Text as its UTF-8 bytes, one character each (what `reply` sends). */
function utf8(text: string): string {
  return latin1(new TextEncoder().encode(text));
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * `info os` (annex ''): the kinds of table there are; `info os processes`: each PD as a
 * process with its name (GDB's `info inferiors` has no column for a name: it shows
 * "process N" and the executable, which `qXfer:exec-file:read` gives it).
 */
function osdataXml(annex: string, threads: TargetThread[]): string | undefined {
  const item = (columns: [string, string][]) => `<item>${columns.map(([n, v]) => `<column name="${n}">${escapeXml(v)}</column>`).join('')}</item>`;
  let items: string[];
  if (annex === '')
    items = [
      item([
        ['Type', 'processes'],
        ['Description', 'Listing of all processes (protection domains)'],
        ['Title', 'Processes'],
      ]),
    ];
  else if (annex === 'processes')
    items = threads.map((th) =>
      item([
        ['pid', String(th.pid)],
        ['command', th.name],
        ['executable', th.executable ?? ''],
      ]),
    );
  else return undefined;
  return `<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "osdata.dtd">\n<osdata type="${annex === '' ? 'types' : annex}">\n${items.join('\n')}\n</osdata>\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
