import { describe, expect, it } from 'vitest';
import { SYSREG } from '../src/machine/cpu/sysregs.js';
import { CNTFRQ, CNT_CTL, GenericTimer } from '../src/machine/devices/generic-timer.js';
import { GICC, GICD, GIC_SPURIOUS, GicV2 } from '../src/machine/devices/gic-v2.js';
import { FR, Pl011, UART, UART_INT } from '../src/machine/devices/pl011.js';

describe('PL011', () => {
  const make = () => {
    const out: number[] = [];
    const lines: boolean[] = [];
    const u = new Pl011((b) => out.push(b));
    u.onInterrupt = (h) => lines.push(h);
    return { u, out, lines };
  };

  it('transmits UARTDR writes to the sink and reports an empty transmit FIFO', () => {
    const { u, out } = make();
    for (const c of 'hi\n') u.write(UART.DR, 4, c.charCodeAt(0) | 0x100);
    expect(String.fromCharCode(...out)).toBe('hi\n');
    expect(u.read(UART.FR, 4) & (FR.TXFE | FR.TXFF)).toBe(FR.TXFE);
    expect(u.read(UART.RIS, 4) & UART_INT.TX).toBe(UART_INT.TX);
  });

  it('receives into a FIFO of 16 with FEN, 1 without, and empties it through UARTDR', () => {
    const { u } = make();
    expect(u.read(UART.FR, 4) & FR.RXFE).toBe(FR.RXFE);
    expect(u.receive(0x41)).toBe(true);
    expect(u.receive(0x42)).toBe(false); // character mode: one entry
    expect(u.read(UART.FR, 4) & FR.RXFF).toBe(FR.RXFF);
    expect(u.read(UART.DR, 4)).toBe(0x41);
    u.write(UART.LCR_H, 4, 0x70); // FEN, 8 bits
    for (let i = 0; i < 16; i++) expect(u.receive(i)).toBe(true);
    expect(u.receive(99)).toBe(false);
    const got = Array.from({ length: 16 }, () => u.read(UART.DR, 4));
    expect(got).toEqual([...Array(16).keys()]);
    expect(u.read(UART.FR, 4) & FR.RXFE).toBe(FR.RXFE);
  });

  it('raises its interrupt for RIS & IMSC and clears it through UARTICR and by reading', () => {
    const { u, lines } = make();
    u.receive(0x31);
    expect(u.interruptLine).toBe(false); // masked
    expect(u.read(UART.RIS, 4) & UART_INT.RX).toBe(UART_INT.RX);
    u.write(UART.IMSC, 4, UART_INT.RX);
    expect(u.interruptLine).toBe(true);
    expect(u.read(UART.MIS, 4)).toBe(UART_INT.RX);
    u.read(UART.DR, 4);
    expect(u.interruptLine).toBe(false);
    u.write(UART.IMSC, 4, UART_INT.TX);
    u.write(UART.DR, 4, 0x2e);
    expect(u.interruptLine).toBe(true);
    u.write(UART.ICR, 4, UART_INT.TX);
    expect(u.interruptLine).toBe(false);
    expect(lines.at(-1)).toBe(false);
  });

  it('keeps control registers and identifies itself as a PL011', () => {
    const { u } = make();
    expect(u.read(UART.CR, 4)).toBe(0x300);
    u.write(UART.IBRD, 4, 0x27);
    u.write(UART.FBRD, 4, 0xff);
    expect([u.read(UART.IBRD, 4), u.read(UART.FBRD, 4)]).toEqual([0x27, 0x3f]);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => u.read(o, 4))).toEqual([0x11, 0x10, 0x14, 0, 0x0d, 0xf0, 0x05, 0xb1]);
  });
});

describe('GICv2', () => {
  const enabled = () => {
    const g = new GicV2();
    g.distributor.write(GICD.CTLR, 4, 1);
    g.cpuInterface.write(GICC.CTLR, 4, 1);
    g.cpuInterface.write(GICC.PMR, 4, 0xff);
    return g;
  };
  const iar = (g: GicV2) => g.cpuInterface.read(GICC.IAR, 4);
  const eoi = (g: GicV2, id: number) => g.cpuInterface.write(GICC.EOIR, 4, id);

  it('describes itself in GICD_TYPER and GICD_IIDR', () => {
    const g = new GicV2();
    expect(g.distributor.read(GICD.TYPER, 4) & 0x1f).toBe(8); // 288 lines
    expect(g.distributor.read(GICD.IIDR, 4) & 0xfff).toBe(0x43b);
  });

  it('delivers an enabled SPI, acknowledges it and ends it', () => {
    const g = enabled();
    g.setLine(40, true);
    expect(g.irqLine).toBe(false); // not enabled
    expect(g.distributor.read(GICD.ISPENDR + 4, 4)).toBe(1 << 8);
    g.distributor.write(GICD.ISENABLER + 4, 4, 1 << 8);
    expect(g.distributor.read(GICD.ICENABLER + 4, 4)).toBe(1 << 8);
    expect(g.irqLine).toBe(true);
    expect(g.cpuInterface.read(GICC.HPPIR, 4)).toBe(40);
    expect(iar(g)).toBe(40);
    expect(g.distributor.read(GICD.ISACTIVER + 4, 4)).toBe(1 << 8);
    expect(g.irqLine).toBe(false); // active: not taken again
    expect(iar(g)).toBe(GIC_SPURIOUS);
    g.setLine(40, false);
    eoi(g, 40);
    expect(g.distributor.read(GICD.ISACTIVER + 4, 4)).toBe(0);
    expect(g.irqLine).toBe(false);
  });

  it('keeps a level-sensitive interrupt pending while its line is high, an edge one latched', () => {
    const g = enabled();
    g.distributor.write(GICD.ISENABLER + 4, 4, 0b11);
    g.distributor.write(GICD.ICFGR + 8, 4, 0b10 << 2); // INTID 33 edge, 32 level
    g.setLine(32, true);
    g.setLine(33, true);
    g.setLine(33, false);
    expect(iar(g)).toBe(32);
    eoi(g, 32);
    expect(g.isPending(32)).toBe(true); // line still high
    g.setLine(32, false);
    expect(iar(g)).toBe(33);
    eoi(g, 33);
    expect(g.irqLine).toBe(false);
    // Software pending and clearing.
    g.distributor.write(GICD.ISPENDR + 4, 4, 1);
    expect(g.irqLine).toBe(true);
    g.distributor.write(GICD.ICPENDR + 4, 4, 1);
    expect(g.irqLine).toBe(false);
  });

  it('takes the highest priority first, lets a higher one preempt, and honours GICC_PMR', () => {
    const g = enabled();
    g.distributor.write(GICD.ISENABLER + 4, 4, 0b111);
    g.distributor.write(GICD.IPRIORITYR + 32, 4, 0x00_40_80_a0); // 32: a0, 33: 80, 34: 40
    expect(g.distributor.read(GICD.IPRIORITYR + 33, 1)).toBe(0x80);
    g.setLine(32, true);
    g.setLine(33, true);
    expect(iar(g)).toBe(33);
    expect(g.cpuInterface.read(GICC.RPR, 4)).toBe(0x80);
    expect(g.irqLine).toBe(false); // 32 (a0) cannot preempt 33 (80)
    g.setLine(34, true);
    expect(iar(g)).toBe(34); // 40 preempts 80
    g.setLine(34, false);
    eoi(g, 34);
    expect(g.cpuInterface.read(GICC.RPR, 4)).toBe(0x80);
    g.setLine(33, false);
    eoi(g, 33);
    expect(g.cpuInterface.read(GICC.RPR, 4)).toBe(0xff);
    g.cpuInterface.write(GICC.PMR, 4, 0xa0);
    expect(g.irqLine).toBe(false); // a0 is not below the mask
    g.cpuInterface.write(GICC.PMR, 4, 0xb0);
    expect(iar(g)).toBe(32);
  });

  it('masks everything while the distributor or the CPU interface is disabled', () => {
    const g = enabled();
    g.distributor.write(GICD.ISENABLER + 4, 4, 1);
    g.setLine(32, true);
    g.cpuInterface.write(GICC.CTLR, 4, 0);
    expect(g.irqLine).toBe(false);
    g.cpuInterface.write(GICC.CTLR, 4, 1);
    g.distributor.write(GICD.CTLR, 4, 0);
    expect(g.irqLine).toBe(false);
    expect(iar(g)).toBe(GIC_SPURIOUS);
  });

  it('raises SGIs through GICD_SGIR and takes PPIs', () => {
    const g = enabled();
    g.distributor.write(GICD.ISENABLER, 4, (1 << 3) | (1 << 30));
    g.distributor.write(GICD.SGIR, 4, (0 << 24) | (1 << 16) | 3);
    expect(iar(g)).toBe(3);
    eoi(g, 3);
    g.distributor.write(GICD.SGIR, 4, (1 << 24) | 3); // to other CPUs: none here
    expect(g.irqLine).toBe(false);
    expect(g.distributor.read(GICD.ICFGR, 4) >>> 0).toBe(0xaaaaaaaa); // SGIs are edge-triggered
    expect(g.distributor.read(GICD.ITARGETSR, 4)).toBe(0x01010101);
    g.setLine(30, true);
    expect(iar(g)).toBe(30);
  });

  it('splits priority drop and deactivation with EOImode', () => {
    const g = enabled();
    g.cpuInterface.write(GICC.CTLR, 4, 1 | (1 << 9));
    g.distributor.write(GICD.ISENABLER + 4, 4, 1);
    g.distributor.write(GICD.ICFGR + 8, 4, 0b10);
    g.setLine(32, true);
    expect(iar(g)).toBe(32);
    eoi(g, 32);
    expect(g.active[32]).toBe(1);
    g.cpuInterface.write(GICC.DIR, 4, 32);
    expect(g.active[32]).toBe(0);
  });
});

describe('generic timer', () => {
  it('counts at 62.5 MHz from cycles, exactly, at any whole-kHz CPU frequency', () => {
    let cycles = 0;
    const t = new GenericTimer(() => cycles);
    expect(t.read(SYSREG.CNTFRQ_EL0)).toEqual({ lo: CNTFRQ, hi: 0 });
    cycles = 16_000;
    expect(t.count()).toBe(1000);
    cycles = 2 ** 52 + 31; // beyond where cycles × 62.5e6 fits a double
    expect(t.count()).toBe(2 ** 48 + 1);
    let c3 = 0;
    const t3 = new GenericTimer(() => c3, 3_000_000);
    c3 = 3_000_000;
    expect(t3.count()).toBe(CNTFRQ);
    expect(t3.cycleOf(CNTFRQ)).toBe(3_000_000);
    expect(t3.cycleOf(1)).toBe(1); // 62.5e6 ticks in 3e6 cycles: tick 1 is reached at cycle 1
    expect(() => new GenericTimer(() => 0, 1234.5)).toThrow(/whole number of kHz/);
  });

  it('fires when the counter reaches CVAL, reports ISTATUS, and honours IMASK', () => {
    let cycles = 0;
    const t = new GenericTimer(() => cycles);
    const events: [number, boolean][] = [];
    t.onLine = (ppi, high) => events.push([ppi, high]);
    t.write(SYSREG.CNTP_CVAL_EL0, 100, 0);
    t.write(SYSREG.CNTP_CTL_EL0, CNT_CTL.ENABLE, 0);
    expect(t.nextDeadline()).toBe(1600);
    cycles = 1599;
    t.update();
    expect(events).toEqual([]);
    expect(t.read(SYSREG.CNTP_CTL_EL0)!.lo).toBe(CNT_CTL.ENABLE);
    cycles = 1600;
    t.update();
    expect(events).toEqual([[30, true]]);
    expect(t.read(SYSREG.CNTP_CTL_EL0)!.lo).toBe(CNT_CTL.ENABLE | CNT_CTL.ISTATUS);
    t.write(SYSREG.CNTP_CTL_EL0, CNT_CTL.ENABLE | CNT_CTL.IMASK, 0);
    expect(events.at(-1)).toEqual([30, false]);
    expect(t.read(SYSREG.CNTP_CTL_EL0)!.lo).toBe(CNT_CTL.ENABLE | CNT_CTL.IMASK | CNT_CTL.ISTATUS);
  });

  it('sets CVAL from a signed TVAL and reads TVAL back as CVAL minus the counter', () => {
    let cycles = 16 * 500;
    const t = new GenericTimer(() => cycles);
    t.write(SYSREG.CNTV_TVAL_EL0, -100, 0);
    expect(t.read(SYSREG.CNTV_CVAL_EL0)).toEqual({ lo: 400, hi: 0 });
    t.write(SYSREG.CNTV_TVAL_EL0, 1000, 0);
    cycles += 16 * 300;
    expect(t.read(SYSREG.CNTV_TVAL_EL0)!.lo).toBe(700);
  });

  it('keeps the EL2 timer for the kernel on PPI 26, out of EL0 reach', () => {
    let cycles = 0;
    const t = new GenericTimer(() => cycles);
    const events: [number, boolean][] = [];
    t.onLine = (ppi, high) => events.push([ppi, high]);
    t.setCval('hypPhysical', 10n);
    t.setCtl('hypPhysical', CNT_CTL.ENABLE);
    expect(t.nextDeadline()).toBe(160);
    cycles = 160;
    t.update();
    expect(events).toEqual([[26, true]]);
    t.setCtl('hypPhysical', 0);
    expect(events.at(-1)).toEqual([26, false]);
    // CVAL of all ones is never reached.
    t.setCval('physical', (1n << 64n) - 1n);
    t.setCtl('physical', CNT_CTL.ENABLE);
    expect(t.nextDeadline()).toBe(Infinity);
  });
  it('takes a CVAL programmed as a number as the same BigInt CVAL, and an unsafe number through BigInt', () => {
    let cycles = 0;
    const t = new GenericTimer(() => cycles);
    const events: [number, boolean][] = [];
    t.onLine = (ppi, high) => events.push([ppi, high]);
    t.program('physical', CNT_CTL.ENABLE, 2 ** 40 + 5);
    expect(t.cval('physical')).toBe(2n ** 40n + 5n);
    expect(t.read(SYSREG.CNTP_CVAL_EL0)).toEqual({ lo: 5, hi: 256 });
    t.program('hypPhysical', CNT_CTL.ENABLE, 10);
    expect(t.nextDeadline()).toBe(160);
    cycles = 160;
    t.updateIfDue();
    expect(events).toEqual([[26, true]]);
    t.program('hypPhysical', CNT_CTL.ENABLE, 11);
    expect(events.at(-1)).toEqual([26, false]);
    expect(t.nextDeadline()).toBe(176);
    t.program('virtual', CNT_CTL.ENABLE, 2 ** 60);
    expect(t.cval('virtual')).toBe(2n ** 60n);
  });

  it('moves the deadline on a future CVAL without a line change, and still raises every line that is due', () => {
    let cycles = 0;
    const t = new GenericTimer(() => cycles);
    const events: [number, boolean][] = [];
    t.onLine = (ppi, high) => events.push([ppi, high]);
    t.program('hypPhysical', CNT_CTL.ENABLE, 10);
    t.program('hypPhysical', CNT_CTL.ENABLE, 20);
    expect(t.nextDeadline()).toBe(320);
    t.program('physical', CNT_CTL.ENABLE, 15);
    expect(t.nextDeadline()).toBe(240);
    t.program('physical', CNT_CTL.ENABLE | CNT_CTL.IMASK, 15);
    expect(t.nextDeadline()).toBe(320);
    t.program('physical', CNT_CTL.ENABLE, 15);
    expect(events).toEqual([]);
    // The physical timer is due: a write of the kernel's timer raises its line, as an update does.
    cycles = 250;
    t.program('hypPhysical', CNT_CTL.ENABLE, 30);
    expect(events).toEqual([[30, true]]);
    expect(t.nextDeadline()).toBe(480);
    // A CVAL already reached raises the line at once.
    t.program('hypPhysical', CNT_CTL.ENABLE, 12);
    expect(events.at(-1)).toEqual([26, true]);
    expect(t.nextDeadline()).toBe(Infinity);
  });
});
