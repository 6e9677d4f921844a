import type { MmioDevice } from '../memory/physical-memory.js';

/**
 * The ARM PrimeCell PL011 UART (ARM DDI 0183), as QEMU models it: transmission is
 * instantaneous (each byte written to UARTDR goes straight to the console sink), reception
 * fills a 16-entry FIFO (1 entry with UARTLCR_H.FEN clear) from an input source, and the
 * interrupt output is UARTRIS & UARTIMSC.
 */

export const UART = {
  DR: 0x000,
  RSR_ECR: 0x004,
  FR: 0x018,
  ILPR: 0x020,
  IBRD: 0x024,
  FBRD: 0x028,
  LCR_H: 0x02c,
  CR: 0x030,
  IFLS: 0x034,
  IMSC: 0x038,
  RIS: 0x03c,
  MIS: 0x040,
  ICR: 0x044,
  DMACR: 0x048,
} as const;

/** UARTFR bits. */
export const FR = { BUSY: 1 << 3, RXFE: 1 << 4, TXFF: 1 << 5, RXFF: 1 << 6, TXFE: 1 << 7 } as const;
/** Interrupt bits of UARTIMSC/RIS/MIS/ICR. */
export const UART_INT = { RX: 1 << 4, TX: 1 << 5, RT: 1 << 6 } as const;
const LCR_H_FEN = 1 << 4;
const FIFO_DEPTH = 16;

/** PeriphID0–3 and PCellID0–3 at 0xfe0–0xffc. */
const ID_REGISTERS = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export class Pl011 implements MmioDevice {
  readonly name = 'pl011';
  private readonly rx: number[] = [];
  private lcrH = 0;
  /** UARTEN, TXE, RXE set: the reset value of UARTCR. */
  private cr = 0x300;
  private ibrd = 0;
  private fbrd = 0;
  private ifls = 0x12;
  private imsc = 0;
  private ris = 0;
  private dmacr = 0;
  /** Called with the new level of the interrupt output whenever it may have changed. */
  onInterrupt: (high: boolean) => void = () => {};

  constructor(private readonly sink: (byte: number) => void) {}

  get interruptLine(): boolean {
    return (this.ris & this.imsc) !== 0;
  }

  private get fifoDepth(): number {
    return this.lcrH & LCR_H_FEN ? FIFO_DEPTH : 1;
  }

  /** Whether a received byte can be taken now. */
  get canReceive(): boolean {
    return this.rx.length < this.fifoDepth;
  }

  /** A byte arrives on the receive line. Returns false (byte dropped) if the FIFO is full. */
  receive(byte: number): boolean {
    if (!this.canReceive) return false;
    this.rx.push(byte & 0xff);
    this.ris |= UART_INT.RX;
    this.update();
    return true;
  }

  private update(): void {
    this.onInterrupt(this.interruptLine);
  }

  /** Every register is read whole, whatever the access size. */
  read(offset: number, _size: number): number {
    if (offset >= 0xfe0 && offset < 0x1000) return ID_REGISTERS[(offset - 0xfe0) >> 2]!;
    switch (offset & ~3) {
      case UART.DR: {
        const byte = this.rx.shift();
        if (this.rx.length === 0) this.ris &= ~UART_INT.RX;
        this.update();
        return byte ?? 0;
      }
      case UART.RSR_ECR:
        return 0;
      case UART.FR: {
        let fr = FR.TXFE;
        if (this.rx.length === 0) fr |= FR.RXFE;
        if (this.rx.length >= this.fifoDepth) fr |= FR.RXFF;
        return fr;
      }
      case UART.ILPR:
        return 0;
      case UART.IBRD:
        return this.ibrd;
      case UART.FBRD:
        return this.fbrd;
      case UART.LCR_H:
        return this.lcrH;
      case UART.CR:
        return this.cr;
      case UART.IFLS:
        return this.ifls;
      case UART.IMSC:
        return this.imsc;
      case UART.RIS:
        return this.ris;
      case UART.MIS:
        return this.ris & this.imsc;
      case UART.DMACR:
        return this.dmacr;
      default:
        return 0; // reserved, and the test registers
    }
  }

  write(offset: number, _size: number, value: number): void {
    switch (offset & ~3) {
      case UART.DR:
        this.sink(value & 0xff);
        this.ris |= UART_INT.TX;
        break;
      case UART.RSR_ECR:
        break; // clears the error flags, which this model never sets
      case UART.IBRD:
        this.ibrd = value & 0xffff;
        break;
      case UART.FBRD:
        this.fbrd = value & 0x3f;
        break;
      case UART.LCR_H:
        // Turning the FIFOs off or on empties them, as QEMU does.
        if ((value ^ this.lcrH) & LCR_H_FEN) this.rx.length = 0;
        this.lcrH = value & 0xff;
        break;
      case UART.CR:
        this.cr = value & 0xffff;
        break;
      case UART.IFLS:
        this.ifls = value & 0x3f;
        break;
      case UART.IMSC:
        this.imsc = value & 0x7ff;
        break;
      case UART.ICR:
        this.ris &= ~value;
        break;
      case UART.DMACR:
        this.dmacr = value & 7;
        break;
    }
    this.update();
  }
}
