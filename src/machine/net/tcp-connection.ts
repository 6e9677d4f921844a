import { ByteQueue } from './byte-queue.js';
import { seqAdd, seqDiff, TCP_FLAG, type TcpSegment } from './tcp.js';

/**
 * One TCP connection that the host side of the NAT opens to the guest (a hostfwd client), in
 * virtual time: the SYN/SYN-ACK/ACK handshake, data both ways in order (a segment out of
 * order is dropped and the expected sequence number acknowledged again), the guest's window,
 * retransmission from the oldest unacknowledged byte when the timer runs out (RFC 6298's 1 s
 * initial timeout, doubled up to 60 s, the connection reset after 8 tries), FIN both ways and
 * RST. No TIME-WAIT: the host side forgets a connection once both FINs are acknowledged.
 */

/** Where the guest's side of the conversation goes (the host socket). */
export interface TcpSink {
  data(bytes: Uint8Array): void;
  /** The guest sent FIN: nothing more will come. */
  end(): void;
  /** The guest reset the connection, or it timed out. */
  reset(): void;
}

const TCP_OUR_MSS = 1460;
const TCP_DEFAULT_MSS = 536;
const TCP_WINDOW = 65535;
const INITIAL_RTO_NS = 1e9;
const MAX_RTO_NS = 60e9;
const MAX_RETRIES = 8;

export type TcpState = 'syn-sent' | 'established' | 'closed';

export class TcpConnection {
  state: TcpState = 'syn-sent';
  readonly stats = { retransmissions: 0 };
  private readonly sendBuffer = new ByteQueue();
  private sndUna: number;
  private sndNxt: number;
  private sndWnd = 0;
  private rcvNxt = 0;
  private mss = TCP_DEFAULT_MSS;
  /** The host closed its side: a FIN follows the data. */
  private hostEnded = false;
  private finSent = false;
  private guestFin = false;
  private rto = INITIAL_RTO_NS;
  private retries = 0;
  /** When the retransmission timer runs out (Infinity: not running). */
  timerNs = Infinity;

  constructor(
    readonly ourPort: number,
    readonly guestPort: number,
    private readonly iss: number,
    private readonly emit: (segment: TcpSegment) => void,
    private readonly sink: TcpSink,
    nowNs: number,
  ) {
    this.sndUna = iss;
    this.sndNxt = seqAdd(iss, 1);
    this.sendSyn(nowNs);
  }

  /** Both sides have closed and every byte is acknowledged, or the connection was reset. */
  get done(): boolean {
    return this.state === 'closed';
  }

  // ---------------------------------------------------------------- the host side

  write(bytes: Uint8Array, nowNs: number): void {
    if (this.state === 'closed' || this.hostEnded) return;
    this.sendBuffer.append(bytes);
    this.output(nowNs);
  }

  end(nowNs: number): void {
    if (this.state === 'closed' || this.hostEnded) return;
    this.hostEnded = true;
    this.output(nowNs);
  }

  /** The host side went away abruptly: RST to the guest. */
  abort(): void {
    if (this.state === 'closed') return;
    this.send(TCP_FLAG.RST | TCP_FLAG.ACK, this.sndNxt);
    this.close();
  }

  // ---------------------------------------------------------------- the guest side

  segment(s: TcpSegment, nowNs: number): void {
    if (this.state === 'closed') return;
    if (s.flags & TCP_FLAG.RST) {
      // RFC 9293 §3.10.7.3: in SYN-SENT acceptable only if it acknowledges the SYN.
      if (this.state !== 'syn-sent' || (s.flags & TCP_FLAG.ACK && s.ack === this.sndNxt)) {
        this.close();
        this.sink.reset();
      }
      return;
    }
    if (this.state === 'syn-sent') {
      if (!(s.flags & TCP_FLAG.ACK)) return;
      if (s.ack !== this.sndNxt) {
        this.send(TCP_FLAG.RST, s.ack, 0);
        return;
      }
      if (!(s.flags & TCP_FLAG.SYN)) return;
      this.rcvNxt = seqAdd(s.seq, 1);
      this.sndUna = s.ack;
      this.sndWnd = s.window;
      this.mss = Math.min(s.mss ?? TCP_DEFAULT_MSS, TCP_OUR_MSS);
      this.state = 'established';
      this.stopTimer();
      this.send(TCP_FLAG.ACK, this.sndNxt);
      this.output(nowNs);
      return;
    }
    if (s.flags & TCP_FLAG.SYN) {
      // Our ACK of the SYN-ACK was lost: acknowledge again.
      this.send(TCP_FLAG.ACK, this.sndNxt);
      return;
    }
    if (s.flags & TCP_FLAG.ACK) this.acknowledged(s, nowNs);
    const length = s.payload.length + (s.flags & TCP_FLAG.FIN ? 1 : 0);
    if (length > 0) {
      if (s.seq === this.rcvNxt && !this.guestFin) {
        if (s.payload.length > 0) this.sink.data(s.payload.slice());
        this.rcvNxt = seqAdd(this.rcvNxt, length);
        if (s.flags & TCP_FLAG.FIN) {
          this.guestFin = true;
          this.sink.end();
        }
      }
      // In order: acknowledged; out of order or already seen: the expected sequence number again.
      this.send(TCP_FLAG.ACK, this.sndNxt);
    }
    this.output(nowNs);
    if (this.guestFin && this.finSent && this.sndUna === this.sndNxt) this.close();
  }

  /** Run the retransmission timer if it is due at `nowNs`. */
  timer(nowNs: number): void {
    if (this.state === 'closed' || nowNs < this.timerNs) return;
    if (++this.retries > MAX_RETRIES) {
      this.abort();
      this.sink.reset();
      return;
    }
    this.stats.retransmissions++;
    this.rto = Math.min(this.rto * 2, MAX_RTO_NS);
    if (this.state === 'syn-sent') {
      this.sendSyn(nowNs);
      return;
    }
    // Go back to the oldest unacknowledged byte; one segment goes now even into a closed window (a probe).
    this.sndNxt = this.sndUna;
    this.finSent = false;
    this.stopTimer();
    this.output(nowNs, true);
  }

  // ---------------------------------------------------------------- inside

  private acknowledged(s: TcpSegment, nowNs: number): void {
    const acked = seqDiff(s.ack, this.sndUna);
    if (acked < 0 || seqDiff(s.ack, this.sndNxt) > 0) return;
    this.sndWnd = s.window;
    if (acked === 0) return;
    this.sendBuffer.consume(acked);
    this.sndUna = s.ack;
    this.rto = INITIAL_RTO_NS;
    this.retries = 0;
    if (this.sndUna === this.sndNxt) this.stopTimer();
    else this.startTimer(nowNs);
  }

  /** Send what the window allows: data in MSS-sized segments, then the FIN once the host has ended and all data is out. */
  private output(nowNs: number, probe = false): void {
    if (this.state !== 'established') return;
    for (;;) {
      const offset = seqDiff(this.sndNxt, this.sndUna);
      const unsent = this.sendBuffer.length - offset;
      const room = probe ? Math.max(this.sndWnd - offset, 1) : this.sndWnd - offset;
      probe = false;
      const n = Math.min(unsent, room, this.mss);
      if (n > 0) {
        this.send(TCP_FLAG.ACK | TCP_FLAG.PSH, this.sndNxt, this.rcvNxt, this.sendBuffer.read(offset, n));
        this.sndNxt = seqAdd(this.sndNxt, n);
        continue;
      }
      if (unsent === 0 && this.hostEnded && !this.finSent) {
        this.send(TCP_FLAG.FIN | TCP_FLAG.ACK, this.sndNxt);
        this.sndNxt = seqAdd(this.sndNxt, 1);
        this.finSent = true;
      }
      // Data in flight, or waiting behind a closed window (the timer then sends a probe).
      if (this.timerNs === Infinity && (this.sndNxt !== this.sndUna || unsent > 0)) this.startTimer(nowNs);
      return;
    }
  }

  private sendSyn(nowNs: number): void {
    this.emit({ srcPort: this.ourPort, dstPort: this.guestPort, seq: this.iss, ack: 0, flags: TCP_FLAG.SYN, window: TCP_WINDOW, mss: TCP_OUR_MSS, payload: new Uint8Array() });
    this.startTimer(nowNs);
  }

  private send(flags: number, seq: number, ack = this.rcvNxt, payload: Uint8Array = new Uint8Array()): void {
    this.emit({ srcPort: this.ourPort, dstPort: this.guestPort, seq, ack: flags & TCP_FLAG.ACK ? ack : 0, flags, window: TCP_WINDOW, payload });
  }

  private startTimer(nowNs: number): void {
    this.timerNs = nowNs + this.rto;
  }

  private stopTimer(): void {
    this.timerNs = Infinity;
  }

  private close(): void {
    this.state = 'closed';
    this.stopTimer();
  }
}
