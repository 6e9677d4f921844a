#!/usr/bin/env node
// sel4ts SDK: build every configuration with every toolchain and inspect the results.
//
//   node check/check.mjs            (from sdk/, or `make check`)
//
// For CONFIG in {debug, release} and TOOLCHAIN in {clang, gcc} it builds the SDK from
// scratch into build/check/<config>-<toolchain>/, then checks with readelf/objdump:
//   0. that clean build prints no compiler warning.
//   1. hello.elf and monitor.elf: entry and _start at 0x200000; exactly two PT_LOAD
//      segments (R+X, then R+W), 4 KiB aligned, sharing no page.
//   2. the symbols the sel4ts tool patches exist as data objects of the right size,
//      inside a loaded segment; __sel4_ipc_buffer holds 0xff_ffff_f000.
//   3. every svc in both programs has a known x7, and only the syscalls of the
//      configuration (no debug calls in release).
//   4. check/probes.c: the registers at the svc of every libsel4/libmicrokit wrapper
//      match the seL4 ABI and the configuration's invocation labels.
// Exit status 0 when everything holds. Needs the binutils of gcc-aarch64-linux-gnu.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = join(dirname(fileURLToPath(import.meta.url)), '..');
const READELF = process.env.READELF ?? 'aarch64-linux-gnu-readelf';
const OBJDUMP = process.env.OBJDUMP ?? 'aarch64-linux-gnu-objdump';

const M64 = (1n << 64n) - 1n;
const hex = (v) => (v === undefined ? '?' : `0x${v.toString(16)}`);
const neg = (n) => BigInt.asUintN(64, BigInt(n));

// Invocation labels per configuration (sel4-labels.md).
const LABELS = {
  debug: { IRQAckIRQ: 31, TCBReadRegisters: 2, TCBWriteRegisters: 3, TCBSuspend: 12, TCBResume: 13, SchedContextBind: 38, SchedContextConsumed: 41 },
  release: { IRQAckIRQ: 27, TCBReadRegisters: 2, TCBWriteRegisters: 3, TCBSuspend: 12, TCBResume: 13, SchedContextBind: 34, SchedContextConsumed: 37 },
};

let failures = 0;
const lines = [];
function report(ok, what) {
  if (!ok) failures++;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

// ---- ELF layout -------------------------------------------------------------------------

function segments(elf) {
  const out = run(READELF, ['-lW', elf]);
  const entry = BigInt(out.match(/Entry point (0x[0-9a-f]+)/)[1]);
  const loads = [];
  for (const m of out.matchAll(/^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+([RWE ]+?)\s+(0x[0-9a-f]+)$/gm)) {
    loads.push({ offset: BigInt(m[1]), vaddr: BigInt(m[2]), filesz: BigInt(m[3]), memsz: BigInt(m[4]), flags: m[5].replace(/\s/g, ''), align: BigInt(m[6]) });
  }
  return { entry, loads };
}

function symbols(elf) {
  const out = run(READELF, ['-sW', elf]);
  const syms = new Map();
  for (const m of out.matchAll(/^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s+(\S+)$/gm)) {
    syms.set(m[6], { value: BigInt(`0x${m[1]}`), size: Number(m[2]), type: m[3], bind: m[4], ndx: m[5] });
  }
  return syms;
}

function checkLayout(tag, elf) {
  const { entry, loads } = segments(elf);
  const syms = symbols(elf);
  report(entry === 0x200000n, `${tag}: entry point ${hex(entry)}`);
  report(syms.get('_start')?.value === 0x200000n, `${tag}: _start at ${hex(syms.get('_start')?.value)}`);
  report(loads.length === 2 && loads[0].flags === 'RE' && loads[1].flags === 'RW', `${tag}: two PT_LOAD segments ${loads.map((l) => l.flags).join(', ')}`);
  const aligned = loads.every((l) => l.vaddr % 0x1000n === 0n && l.offset % 0x1000n === 0n && l.align === 0x1000n);
  report(aligned, `${tag}: segments start on 4 KiB pages (${loads.map((l) => `${hex(l.vaddr)}@${hex(l.offset)}`).join(', ')})`);
  let disjoint = true;
  for (let i = 1; i < loads.length; i++) {
    const prevLastPage = (loads[i - 1].vaddr + loads[i - 1].memsz - 1n) & ~0xfffn;
    if (prevLastPage >= (loads[i].vaddr & ~0xfffn)) disjoint = false;
  }
  report(disjoint, `${tag}: no page holds two segments`);
  return { loads, syms };
}

function readU64(elf, loads, vaddr) {
  const seg = loads.find((l) => vaddr >= l.vaddr && vaddr + 8n <= l.vaddr + l.filesz);
  if (!seg) return undefined;
  return readFileSync(elf).readBigUInt64LE(Number(seg.offset + (vaddr - seg.vaddr)));
}

function checkSymbols(tag, elf, loads, syms, wanted) {
  const data = loads.find((l) => l.flags === 'RW');
  for (const [name, size] of Object.entries(wanted)) {
    const s = syms.get(name);
    const inData = s && s.value >= data.vaddr && s.value + BigInt(size) <= data.vaddr + data.memsz;
    report(s !== undefined && s.type === 'OBJECT' && s.size === size && inData, `${tag}: ${name} ${s ? `${s.type} ${s.size} bytes at ${hex(s.value)}` : 'missing'} (want OBJECT ${size} in the RW segment)`);
  }
  const ipc = syms.get('__sel4_ipc_buffer');
  const v = ipc && readU64(elf, loads, ipc.value);
  report(v === 0xfffffff000n, `${tag}: __sel4_ipc_buffer = ${hex(v)}`);
}

// ---- Register evaluation over objdump output ------------------------------------------------

// Split "x0, [x1, #8]!" at top-level commas.
function operands(text) {
  const out = [];
  let depth = 0,
    cur = '';
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function regIndex(r) {
  const m = /^([xw])(\d+)$/.exec(r);
  return m ? { n: Number(m[2]), wide: m[1] === 'x' } : undefined;
}

function immediate(op) {
  const m = /^#(-?(?:0x[0-9a-f]+|\d+))$/.exec(op);
  if (!m) return undefined;
  return m[1].startsWith('-') ? BigInt.asUintN(64, -BigInt(m[1].slice(1))) : BigInt(m[1]);
}

const NO_DEST = /^(st|cmp|cmn|tst|b$|b\.|bl$|blr|br$|cbz|cbnz|tbz|tbnz|ret|nop|svc|prfm|dmb|dsb|isb|ccmp|ccmn|hint|udf|brk)/;

// Functions of a disassembly: name -> [{addr, mnem, ops}]
function functions(file) {
  const out = run(OBJDUMP, ['-d', '--no-show-raw-insn', file]);
  const funcs = new Map();
  let cur;
  for (const line of out.split('\n')) {
    const head = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (head) {
      cur = [];
      funcs.set(head[1], cur);
      continue;
    }
    const ins = /^\s*([0-9a-f]+):\s+(\S+)\s*([^/]*?)\s*(?:\/\/.*)?$/.exec(line);
    if (ins && cur) cur.push({ addr: ins[1], mnem: ins[2], ops: operands(ins[3]) });
  }
  return funcs;
}

// Effect of one instruction on the register state (values are BigInt, undefined = unknown).
// Calls clobber x0..x18 and x30; an svc may return new x0..x5.
function step(regs, { mnem, ops }) {
  const get = (op) => {
    if (op === 'xzr' || op === 'wzr') return 0n;
    const r = regIndex(op);
    if (!r) return immediate(op);
    const v = regs[r.n];
    return v === undefined ? undefined : r.wide ? v : v & 0xffffffffn;
  };
  const set = (op, v) => {
    const r = regIndex(op);
    if (!r) return;
    regs[r.n] = v === undefined ? undefined : r.wide ? v & M64 : v & 0xffffffffn;
  };
  if (mnem === 'svc') {
    for (let i = 0; i <= 5; i++) regs[i] = undefined;
    return;
  }
  if (mnem === 'bl' || mnem === 'blr') {
    for (let i = 0; i <= 18; i++) regs[i] = undefined;
    regs[30] = undefined;
    return;
  }
  // Base-register writeback of a load/store: [xN, #i]! or [xN], #i
  for (let i = 0; i < ops.length; i++) {
    const pre = /^\[(x\d+)[^\]]*\]!$/.exec(ops[i]);
    const post = /^\[(x\d+)\]$/.exec(ops[i]);
    if (pre) set(pre[1], undefined);
    if (post && i < ops.length - 1) set(post[1], undefined);
  }
  if (NO_DEST.test(mnem)) return;
  const [d, a, b, c] = ops;
  switch (mnem) {
    case 'mov':
      set(d, get(a));
      break;
    case 'movk': {
      const sh = b ? BigInt(/\d+/.exec(b)[0]) : 0n;
      const old = get(d),
        v = immediate(a);
      set(d, old === undefined || v === undefined ? undefined : (old & ~(0xffffn << sh)) | (v << sh));
      break;
    }
    case 'add':
    case 'sub':
    case 'orr':
    case 'and':
    case 'eor': {
      const x = get(a);
      let y = get(b);
      const shifted = c !== undefined;
      if (y !== undefined && shifted && /^lsl #\d+$/.test(c)) y <<= BigInt(/\d+/.exec(c)[0]);
      if (x === undefined || y === undefined || (shifted && !/^lsl #\d+$/.test(c))) {
        set(d, undefined);
        break;
      }
      set(d, BigInt.asUintN(64, { add: x + y, sub: x - y, orr: x | y, and: x & y, eor: x ^ y }[mnem]));
      break;
    }
    default:
      set(d, undefined);
      if (/^ld[a-z]*p$/.test(mnem)) set(a, undefined);
  }
}

// Branch target address of a direct branch, if any ("b.ne 2001e4 <f+0x68>" -> "2001e4").
function branchTarget({ mnem, ops }) {
  if (!/^(b|b\..*|cbz|cbnz|tbz|tbnz)$/.test(mnem)) return undefined;
  const m = /^([0-9a-f]+)(?: <.*>)?$/.exec(ops[ops.length - 1]);
  return m ? m[1] : undefined;
}

// Registers x0..x8 at each svc of a function: a forward dataflow over the function's
// control flow, where a register keeps a value only if every path agrees on it.
function svcStates(insns) {
  const index = new Map(insns.map((ins, i) => [ins.addr, i]));
  const succs = insns.map((ins, i) => {
    const out = [];
    const t = branchTarget(ins);
    if (t !== undefined && index.has(t)) out.push(index.get(t));
    if (ins.mnem !== 'b' && ins.mnem !== 'ret' && ins.mnem !== 'br' && i + 1 < insns.length) out.push(i + 1);
    return out;
  });
  const entry = new Array(insns.length).fill(null); // null: not reached yet
  entry[0] = new Array(31).fill(undefined);
  const work = [0];
  while (work.length > 0) {
    const i = work.pop();
    const regs = entry[i].slice();
    step(regs, insns[i]);
    for (const j of succs[i]) {
      if (entry[j] === null) {
        entry[j] = regs.slice();
        work.push(j);
        continue;
      }
      let changed = false;
      for (let r = 0; r < 31; r++) {
        if (entry[j][r] !== undefined && entry[j][r] !== regs[r]) {
          entry[j][r] = undefined;
          changed = true;
        }
      }
      if (changed) work.push(j);
    }
  }
  return insns
    .map((ins, i) => ({ ins, i }))
    .filter(({ ins, i }) => ins.mnem === 'svc' && entry[i] !== null)
    .map(({ ins, i }) => ({ addr: ins.addr, regs: entry[i].slice(0, 9) }));
}

// The svc states of a function, following a tail call ("b <f.constprop.0>") when the
// compiler moved the body into a clone.
function svcStatesFollowing(funcs, name) {
  let insns = funcs.get(name);
  for (let hops = 0; insns && hops < 3; hops++) {
    const states = svcStates(insns);
    if (states.length > 0) return states;
    const last = insns[insns.length - 1];
    const target = last?.mnem === 'b' ? /<([^+>]+)>/.exec(last.ops[0] ?? '')?.[1] : undefined;
    insns = target ? funcs.get(target) : undefined;
  }
  return [];
}

// ---- Probes ----------------------------------------------------------------------------------

function probeExpectations(config) {
  const L = LABELS[config];
  const z = { x2: 0n, x3: 0n, x4: 0n, x5: 0n, x6: 0n };
  const e = {
    probe_irq_ack: { x0: 140n, x1: BigInt(L.IRQAckIRQ << 12), ...z, x7: neg(-1) },
    probe_signal: { x0: 11n, x1: 0n, x7: neg(-5) },
    probe_send: { x0: 12n, x1: 0x7002n, x7: neg(-5) },
    probe_nbsend: { x0: 12n, x1: 0x7002n, x7: neg(-6) },
    probe_call: { x0: 74n, x1: 0x5001n, x6: 0n, x7: neg(-1) },
    probe_recv: { x0: 1n, x6: 4n, x7: neg(-7) },
    probe_nbrecv: { x0: 1n, x6: 4n, x7: neg(-8) },
    probe_wait: { x0: 1n, x6: 0n, x7: neg(-9) },
    probe_nbwait: { x0: 1n, x6: 0n, x7: neg(-10) },
    probe_poll: { x0: 1n, x6: 0n, x7: neg(-10) },
    probe_reply_recv: { x0: 1n, x1: 3n, x6: 4n, x7: neg(-2) },
    probe_nbsend_recv: { x0: 1n, x1: 0n, x6: 4n, x7: neg(-3), x8: 10n },
    probe_nbsend_wait: { x0: 1n, x1: 0n, x6: 10n, x7: neg(-4), x8: 0n },
    probe_yield: { x7: neg(-11) },
    probe_pd_restart: { x0: 205n, x1: BigInt((L.TCBWriteRegisters << 12) | 38), x2: 1n, x3: 1n, x4: 0x200000n, x5: 0n, x6: 0n, x7: neg(-1) },
    probe_pd_stop: { x0: 205n, x1: BigInt(L.TCBSuspend << 12), ...z, x7: neg(-1) },
    probe_pd_resume: { x0: 205n, x1: BigInt(L.TCBResume << 12), ...z, x7: neg(-1) },
    probe_sc_bind: { x0: 142n, x1: BigInt((L.SchedContextBind << 12) | (1 << 7)), ...z, x7: neg(-1) },
    probe_read_registers: { x0: 14n, x1: BigInt((L.TCBReadRegisters << 12) | 2), x2: 0n, x3: 36n, x4: 0n, x5: 0n, x6: 0n, x7: neg(-1) },
    probe_sc_consumed: { x0: 138n, x1: BigInt(L.SchedContextConsumed << 12), ...z, x7: neg(-1) },
  };
  if (config === 'debug') {
    Object.assign(e, {
      probe_put_char: { x0: 65n, x1: 0n, ...z, x7: neg(-12) },
      probe_dump_scheduler: { x0: 0n, x1: 0n, ...z, x7: neg(-13) },
      probe_halt: { x7: neg(-14) },
      probe_cap_identify: { x0: 10n, x1: 0n, ...z, x7: neg(-15) },
      probe_snapshot: { x7: neg(-16) },
      probe_name_thread: { x0: 10n, x1: 0n, ...z, x7: neg(-17) },
    });
  }
  return e;
}

function checkProbes(tag, config, object) {
  const funcs = functions(object);
  for (const [name, want] of Object.entries(probeExpectations(config))) {
    const svc = svcStatesFollowing(funcs, name)[0];
    if (!svc) {
      report(false, `${tag}: ${name}: no svc found`);
      continue;
    }
    const bad = Object.entries(want).filter(([r, v]) => svc.regs[Number(r.slice(1))] !== v);
    const shown = Object.entries(want)
      .map(([r]) => `${r}=${hex(svc.regs[Number(r.slice(1))])}`)
      .join(' ');
    report(bad.length === 0, `${tag}: ${name}: ${shown}${bad.length ? `  (want ${bad.map(([r, v]) => `${r}=${hex(v)}`).join(' ')})` : ''}`);
  }
  const debugOnly = ['probe_put_char', 'probe_halt', 'probe_name_thread'];
  if (config === 'release')
    report(
      debugOnly.every((n) => !funcs.has(n)),
      `${tag}: debug calls absent from release`,
    );
}

function checkSyscalls(tag, config, elf) {
  const allowed = config === 'debug' ? [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16, -17] : [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11];
  const allowedSet = new Set(allowed.map(neg));
  const seen = new Map();
  let unknown = 0,
    wrong = 0;
  for (const [fn, insns] of functions(elf)) {
    for (const s of svcStates(insns)) {
      const x7 = s.regs[7];
      if (x7 === undefined) {
        unknown++;
        lines.push(`     ${tag}: svc at ${s.addr} in ${fn}: x7 not determined`);
        continue;
      }
      if (!allowedSet.has(x7)) wrong++;
      const n = Number(BigInt.asIntN(64, x7));
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
  }
  const summary = [...seen]
    .sort((a, b) => b[0] - a[0])
    .map(([n, c]) => `${n}×${c}`)
    .join(' ');
  report(unknown === 0 && wrong === 0 && seen.size > 0, `${tag}: svc x7 values ${summary}`);
}

// hello.elf makes one kind of Call: the IRQ acks of handler_loop (x0 = 138 + id).
function checkIrqAckInLoop(tag, config, elf) {
  const calls = [];
  for (const [, insns] of functions(elf)) {
    for (const s of svcStates(insns)) if (s.regs[7] === neg(-1)) calls.push(s);
  }
  const want = BigInt(LABELS[config].IRQAckIRQ << 12);
  report(calls.length > 0 && calls.every((s) => s.regs[1] === want && s.regs[6] === 0n), `${tag}: handler_loop IRQ ack: ${calls.map((s) => `svc at ${s.addr} x1=${hex(s.regs[1])} x6=${hex(s.regs[6])}`).join(', ')} (want x1=${hex(want)})`);
}

// ---- Main ---------------------------------------------------------------------------------

for (const config of ['debug', 'release']) {
  for (const toolchain of ['clang', 'gcc']) {
    const tag = `${config}/${toolchain}`;
    const build = join(SDK, 'build', 'check', `${config}-${toolchain}`);
    rmSync(build, { recursive: true, force: true });
    const makeArgs = ['-s', '-C', SDK, '--no-print-directory', `CONFIG=${config}`, `TOOLCHAIN=${toolchain}`, `MICROKIT_BUILD_DIR=${build}`];
    const made = spawnSync('make', [...makeArgs, 'all', 'smoke'], { encoding: 'utf8' });
    report(made.status === 0 && !/warning:/.test(made.stderr), `${tag}: clean build of libmicrokit.a, monitor.elf, hello.elf without warnings`);
    if (made.status !== 0 || made.stderr) lines.push(made.stderr.trimEnd());
    const hello = join(build, 'hello.elf');
    const monitor = join(build, 'monitor.elf');

    const h = checkLayout(`${tag} hello.elf`, hello);
    checkSymbols(`${tag} hello.elf`, hello, h.loads, h.syms, {
      microkit_name: 64,
      microkit_passive: 1,
      microkit_irqs: 8,
      microkit_notifications: 8,
      microkit_pps: 8,
      microkit_ioports: 8,
      __sel4_ipc_buffer: 8,
    });
    checkSyscalls(`${tag} hello.elf`, config, hello);
    checkIrqAckInLoop(`${tag} hello.elf`, config, hello);

    const m = checkLayout(`${tag} monitor.elf`, monitor);
    checkSymbols(`${tag} monitor.elf`, monitor, m.loads, m.syms, {
      pd_names_len: 8,
      pd_names: 4096,
      vm_names_len: 8,
      vm_names: 4096,
      pd_stack_bottom_addrs: 512,
      __sel4_ipc_buffer: 8,
    });
    checkSyscalls(`${tag} monitor.elf`, config, monitor);

    // Probes: compiled with exactly the SDK's flags for this configuration.
    const probeObj = join(build, 'check', 'probes.o');
    mkdirSync(dirname(probeObj), { recursive: true });
    const flags = run('make', [...makeArgs, 'print-cflags']).trim();
    const cc = run('make', [...makeArgs, 'print-cc']).trim();
    const [ccProg, ...ccArgs] = cc.split(/\s+/);
    const probe = spawnSync(ccProg, [...ccArgs, ...flags.split(/\s+/), '-c', join(SDK, 'check', 'probes.c'), '-o', probeObj], { encoding: 'utf8' });
    report(probe.status === 0 && !/warning:/.test(probe.stderr), `${tag}: check/probes.c compiles without warnings`);
    if (probe.stderr) lines.push(probe.stderr.trimEnd());
    checkProbes(tag, config, probeObj);
  }
}

console.log(lines.join('\n'));
console.log(failures === 0 ? '\nall checks passed' : `\n${failures} check(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
