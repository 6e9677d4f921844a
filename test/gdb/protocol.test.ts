import { describe, expect, it } from 'vitest';
import { checksum, escapeBinary, framePacket, PacketReader, runLengthDecode, runLengthEncode, unescapeBinary } from '../../src/gdb/packet.js';
import { GdbStub } from '../../src/gdb/stub.js';
import type { GdbTarget, PointKind, StopEvent, ThreadId } from '../../src/gdb/target.js';
import { formatThreadId, parseThreadId } from '../../src/gdb/thread-id.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('packet framing', () => {
  it('checksums modulo 256', () => {
    expect(checksum(enc('OK'))).toBe(0x9a);
    expect(dec(framePacket('OK'))).toBe('$OK#9a');
    expect(dec(framePacket(''))).toBe('$#00');
  });

  it('escapes $ # } * as } and the byte xor 0x20, and back', () => {
    const raw = Uint8Array.of(0x24, 0x23, 0x7d, 0x2a, 0x41);
    expect([...escapeBinary(raw)]).toEqual([0x7d, 0x04, 0x7d, 0x03, 0x7d, 0x5d, 0x7d, 0x0a, 0x41]);
    expect([...unescapeBinary(escapeBinary(raw))]).toEqual([...raw]);
  });

  it('run-length encodes runs of 4 or more, never with # or $ as the count', () => {
    expect(dec(runLengthEncode(enc('0000')))).toBe('0* ');
    expect(dec(runLengthEncode(enc('000')))).toBe('000');
    // 7 zeros would be '0*#': 5 repeats, then one more zero.
    expect(dec(runLengthEncode(enc('0000000')))).toBe('0*"0');
    expect(dec(runLengthEncode(enc('00000000')))).toBe('0*"00');
    for (const n of [1, 4, 6, 7, 8, 9, 97, 98, 99, 200, 513]) {
      const text = `${'x'.repeat(n)}y`;
      const coded = runLengthEncode(enc(text));
      expect(dec(coded)).not.toMatch(/\*[#$]/);
      expect(dec(runLengthDecode(coded))).toBe(text);
    }
  });

  it('reads packets split across chunks, acks, interrupts, and refuses a bad checksum', () => {
    const r = new PacketReader();
    expect(r.push(enc('+$qSupp'))).toEqual([{ kind: 'ack' }]);
    const e = r.push(enc('orted#37\x03$m0,4#00-'));
    expect(e[0]).toEqual({ kind: 'packet', body: enc('qSupported') });
    expect(e[1]).toEqual({ kind: 'interrupt' });
    expect(e[2]).toEqual({ kind: 'bad-checksum' });
    expect(e[3]).toEqual({ kind: 'nack' });
  });
});

describe('multiprocess thread ids', () => {
  it('parses p<pid>.<tid>, -1 (all), 0 (any) and bare tids', () => {
    expect(parseThreadId('p1.1')).toEqual({ pid: 1, tid: 1 });
    expect(parseThreadId('p1a.2')).toEqual({ pid: 0x1a, tid: 2 });
    expect(parseThreadId('p-1.-1')).toEqual({ pid: -1, tid: -1 });
    expect(parseThreadId('p2')).toEqual({ pid: 2, tid: -1 });
    expect(parseThreadId('0')).toEqual({ pid: 0, tid: 0 });
    expect(parseThreadId('pzz')).toBeUndefined();
    expect(formatThreadId({ pid: 10, tid: 1 })).toBe('pa.1');
  });
});

/** Two processes at the same addresses with different contents. */
class FakeTarget implements GdbTarget {
  regs = new Map<string, bigint[]>([
    ['1', Array.from({ length: 68 }, (_, i) => BigInt(i))],
    ['2', Array.from({ length: 68 }, (_, i) => BigInt(100 + i))],
  ]);
  memory = new Map<number, Uint8Array>([
    [1, Uint8Array.from({ length: 16 }, (_, i) => i)],
    [2, Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i)],
  ]);
  points: string[] = [];
  resumed: (ThreadId | undefined)[] = [];
  interrupted = 0;
  detached = false;
  threads() {
    return [
      { pid: 1, tid: 1, name: 'ping', executable: '/sys/ping.elf' },
      { pid: 2, tid: 1, name: 'pong' },
    ];
  }
  readRegister(t: ThreadId, n: number) {
    return this.regs.get(String(t.pid))?.[n];
  }
  writeRegister(t: ThreadId, n: number, v: bigint) {
    this.regs.get(String(t.pid))![n] = v;
    return true;
  }
  readMemory(pid: number, address: bigint, length: number) {
    const m = this.memory.get(pid)!;
    // Mapped: 0x1000..0x100f.
    const off = Number(address) - 0x1000;
    if (off < 0 || off >= 16) return new Uint8Array();
    return m.slice(off, Math.min(16, off + length));
  }
  writeMemory(pid: number, address: bigint, bytes: Uint8Array) {
    const off = Number(address) - 0x1000;
    if (off < 0 || off + bytes.length > 16) return false;
    this.memory.get(pid)!.set(bytes, off);
    return true;
  }
  insertPoint(kind: PointKind, pid: number, address: bigint) {
    if (address < 0x1000n || address >= 0x1010n) return false;
    this.points.push(`${kind}:${pid}:${address.toString(16)}`);
    return true;
  }
  removePoint(kind: PointKind, pid: number, address: bigint) {
    const i = this.points.indexOf(`${kind}:${pid}:${address.toString(16)}`);
    if (i >= 0) this.points.splice(i, 1);
    return i >= 0;
  }
  resume(step: ThreadId | undefined) {
    this.resumed.push(step);
  }
  interrupt() {
    this.interrupted++;
  }
  detach() {
    this.detached = true;
  }
  kill() {}
  monitor(command: string) {
    return command === 'time' ? '42 ns\n' : '';
  }
}

function session(initial: StopEvent = { kind: 'signal', signal: 5, thread: { pid: 1, tid: 1 } }) {
  const target = new FakeTarget();
  const sent: string[] = [];
  const stub = new GdbStub(target, (b) => sent.push(dec(b)), initial);
  const ask = (packet: string) => {
    sent.length = 0;
    stub.receive(framePacket(packet, false));
    return sent.filter((s) => s !== '+').map((s) => dec(runLengthDecode(enc(/^\$(.*)#[0-9a-f]{2}$/s.exec(s)![1]!))));
  };
  return { target, stub, ask, sent };
}

describe('GdbStub', () => {
  it('answers qSupported with multiprocess and the features it serves', () => {
    const { ask } = session();
    const [r] = ask('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386');
    expect(r).toContain('multiprocess+');
    expect(r).toContain('qXfer:features:read+');
    expect(r).toContain('qXfer:threads:read+');
    expect(r).toContain('vContSupported+');
  });

  it('gives the empty reply to unknown packets and E to malformed ones', () => {
    const { ask } = session();
    expect(ask('qNoSuchThing')).toEqual(['']);
    expect(ask('Jabc')).toEqual(['']);
    expect(ask('m12')).toEqual(['E01']);
    expect(ask('Pzz')).toEqual(['E01']);
    expect(ask('Z0,zz')).toEqual(['E01']);
    expect(ask('vCont;q')).toEqual(['E01']);
  });

  it('lists each PD as a process with its name', () => {
    const { ask } = session();
    expect(ask('qfThreadInfo')).toEqual(['mp1.1,p2.1']);
    expect(ask('qsThreadInfo')).toEqual(['l']);
    const [xml] = ask('qXfer:threads:read::0,fff');
    expect(xml).toBe('l<?xml version="1.0"?><threads><thread id="p1.1" name="ping"/><thread id="p2.1" name="pong"/></threads>');
    expect(ask('qC')).toEqual(['QCp1.1']);
  });

  it("names each process's ELF (qXfer:exec-file:read) and lists the processes by name (qXfer:osdata:read)", () => {
    const { ask } = session();
    expect(ask('qSupported:multiprocess+')[0]).toContain('qXfer:exec-file:read+;qXfer:osdata:read+;qXfer:siginfo:read+');
    expect(ask('qXfer:exec-file:read:1:0,fff')).toEqual(['l/sys/ping.elf']);
    expect(ask('qXfer:exec-file:read::0,4')).toEqual(['m/sys']);
    expect(ask('qXfer:exec-file:read:2:0,fff')).toEqual(['E00']);
    expect(ask('qXfer:exec-file:read:zz:0,fff')).toEqual(['E00']);
    const [processes] = ask('qXfer:osdata:read:processes:0,fff');
    expect(processes).toMatch(
      /^l<\?xml.*<osdata type="processes">\n<item><column name="pid">1<\/column><column name="command">ping<\/column><column name="executable">\/sys\/ping\.elf<\/column><\/item>\n<item><column name="pid">2<\/column><column name="command">pong<\/column>/s,
    );
    expect(ask('qXfer:osdata:read::0,fff')[0]).toMatch(/<osdata type="types">.*<column name="Type">processes<\/column>/s);
    expect(ask('qXfer:osdata:read:cpus:0,fff')).toEqual(['E00']);
  });

  it('gives the siginfo of a fault stop, as Linux lays it out, and none otherwise', () => {
    const raw: Uint8Array[] = [];
    const stub = new GdbStub(new FakeTarget(), (b) => raw.push(b), { kind: 'signal', signal: 11, thread: { pid: 2, tid: 1 }, siginfo: { code: 2, address: 0xffff_8000_0300_0000n } });
    stub.receive(framePacket('qXfer:siginfo:read::0,80', false));
    // Binary on the wire: run-length encoded and escaped, undone here as GDB does.
    const packet = raw.find((b) => b[0] === 0x24)!;
    const body = unescapeBinary(runLengthDecode(packet.subarray(1, packet.length - 3)));
    expect(body[0]).toBe(0x6c); // 'l'
    const bytes = body.slice(1);
    expect(bytes.length).toBe(128);
    const v = new DataView(bytes.buffer);
    expect([v.getInt32(0, true), v.getInt32(4, true), v.getInt32(8, true), v.getBigUint64(16, true)]).toEqual([11, 0, 2, 0xffff_8000_0300_0000n]);
    expect(session().ask('qXfer:siginfo:read::0,80')).toEqual(['E00']);
  });

  it('serves target.xml in windows', () => {
    const { ask } = session();
    const [first] = ask('qXfer:features:read:target.xml:0,20');
    expect(first).toBe('m<?xml version="1.0"?><!DOCTYPE t');
    const [all] = ask('qXfer:features:read:target.xml:0,ffff');
    expect(all).toMatch(/^l.*org\.gnu\.gdb\.aarch64\.core.*name="x30".*name="cpsr".*org\.gnu\.gdb\.aarch64\.fpu.*name="v31".*name="fpcr"/);
    expect(ask('qXfer:features:read:other.xml:0,10')).toEqual(['E00']);
  });

  it('reads and writes registers of the thread Hg selects', () => {
    const { ask, target } = session();
    expect(ask('p20')).toEqual(['2000000000000000']); // pc of p1.1 = 32
    expect(ask('Hgp2.1')).toEqual(['OK']);
    expect(ask('p20')).toEqual(['8400000000000000']); // 132
    expect(ask('P1=efbeadde00000000')).toEqual(['OK']);
    expect(target.regs.get('2')![1]).toBe(0xdeadbeefn);
    const [g] = ask('g');
    // 33 × 8 bytes + cpsr 4 + 32 × 16 + fpsr 4 + fpcr 4.
    expect(g!.length).toBe(2 * (33 * 8 + 4 + 32 * 16 + 8));
    expect(ask('Hgp9.1')).toEqual(['E01']);
  });

  it('reads memory through the selected process, E for unmapped', () => {
    const { ask, target } = session();
    expect(ask('m1000,4')).toEqual(['00010203']);
    expect(ask('Hgp2.1')).toEqual(['OK']);
    expect(ask('m1000,4')).toEqual(['f0f1f2f3']);
    expect(ask('m2000,4')).toEqual(['E14']);
    expect(ask('M1000,2:aabb')).toEqual(['OK']);
    expect(target.memory.get(2)![0]).toBe(0xaa);
    expect(ask('M2000,1:00')).toEqual(['E14']);
    // X with binary data holding '}' (0x7d), escaped on the wire.
    expect(ask('X1002,1:\x7d')).toEqual(['OK']);
    expect(target.memory.get(2)![2]).toBe(0x7d);
  });

  it('sets breakpoints in the selected process only; an unmapped address is an error', () => {
    const { ask, target } = session();
    expect(ask('Hgp2.1')).toEqual(['OK']);
    expect(ask('Z0,1004,4')).toEqual(['OK']);
    expect(target.points).toEqual(['0:2:1004']);
    expect(ask('Z0,9000,4')).toEqual(['E01']);
    expect(ask('z0,1004,4')).toEqual(['OK']);
    expect(target.points).toEqual([]);
  });

  it('vCont: continue, step one thread, and the stop reply comes when the target stops', () => {
    const { ask, stub, target, sent } = session();
    expect(ask('vCont?')).toEqual(['vCont;c;C;s;S;t']);
    expect(ask('vCont;s:p2.1;c')).toEqual([]);
    expect(target.resumed).toEqual([{ pid: 2, tid: 1, name: 'pong' }]);
    stub.stopped({ kind: 'signal', signal: 5, thread: { pid: 2, tid: 1 } });
    expect(sent.at(-1)).toMatch(/^\$T05thread:p2\.1;#/);
    expect(ask('vCont;c')).toEqual([]);
    expect(target.resumed.at(-1)).toBeUndefined();
    // Ctrl-C while running.
    stub.receive(Uint8Array.of(3));
    expect(target.interrupted).toBe(1);
    stub.stopped({ kind: 'signal', signal: 11, thread: { pid: 1, tid: 1 } });
    expect(sent.at(-1)).toMatch(/^\$T0bthread:p1\.1;#/);
    expect(ask('?')).toEqual(['T0bthread:p1.1;']);
  });

  it('says why: swbreak, watch with its address', () => {
    const { ask, stub, sent } = session();
    ask('vCont;c');
    stub.stopped({ kind: 'signal', signal: 5, thread: { pid: 1, tid: 1 }, watch: { kind: 'watch', address: 0x1008n } });
    expect(sent.at(-1)).toMatch(/^\$T05watch:1008;thread:p1\.1;#/);
    ask('vCont;c');
    stub.stopped({ kind: 'signal', signal: 5, thread: { pid: 1, tid: 1 }, breakpoint: 'swbreak' });
    expect(sent.at(-1)).toMatch(/^\$T05swbreak:;thread:p1\.1;#/);
  });

  it('reports the end of the run process by process', () => {
    const { ask, stub, sent } = session();
    ask('vCont;c');
    stub.stopped({ kind: 'exited', code: 0 });
    expect(sent.at(-1)).toMatch(/^\$W00;process:1#/);
    expect(ask('vCont;c')).toEqual(['W00;process:2']);
    expect(ask('vCont;c')).toEqual(['W00']);
  });

  it('runs monitor commands (qRcmd, hex both ways)', () => {
    const { ask } = session();
    expect(ask(`qRcmd,${Buffer.from('time').toString('hex')}`)).toEqual([Buffer.from('42 ns\n').toString('hex')]);
    expect(ask('qRcmd,zz')).toEqual(['E01']);
  });

  it('acknowledges until QStartNoAckMode, and asks again after a bad checksum', () => {
    const { stub, sent } = session();
    stub.receive(enc('$qC#00'));
    expect(sent).toEqual(['-']);
    sent.length = 0;
    stub.receive(framePacket('QStartNoAckMode', false));
    expect(sent[0]).toBe('+');
    sent.length = 0;
    stub.receive(framePacket('qC', false));
    expect(sent).toEqual(['$QCp1.1#a7'.replace('a7', dec(framePacket('QCp1.1')).slice(-2))]);
  });

  it('detach hands the run back', () => {
    const { ask, target, stub } = session();
    expect(ask('D;1')).toEqual(['OK']);
    expect(target.detached).toBe(true);
    expect(stub.closed).toBe(true);
  });
});
