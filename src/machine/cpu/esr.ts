import { EC } from './fault.js';

/** A readable decoding of an ESR_ELx value (ARM DDI 0487, D17.2.37). */
export function describeEsr(esr: number): string {
  const ec = (esr >>> 26) & 0x3f;
  const iss = esr & 0x1ffffff;
  const hex = `ESR 0x${(esr >>> 0).toString(16)}`;
  switch (ec) {
    case EC.UNKNOWN:
      return `${hex} (unknown reason: undefined instruction)`;
    case EC.SVC64:
      return `${hex} (SVC #${iss & 0xffff})`;
    case EC.BRK64:
      return `${hex} (BRK #${iss & 0xffff})`;
    case EC.PC_ALIGNMENT:
      return `${hex} (PC alignment)`;
    case EC.SP_ALIGNMENT:
      return `${hex} (SP alignment)`;
    case EC.DATA_ABORT_LOWER:
    case EC.INSTRUCTION_ABORT_LOWER: {
      const fsc = iss & 0x3f;
      const what = ec === EC.DATA_ABORT_LOWER ? `data abort, ${iss & (1 << 6) ? 'write' : 'read'}` : 'instruction abort';
      return `${hex} (${what}, ${faultStatus(fsc)})`;
    }
    default:
      return `${hex} (EC 0x${ec.toString(16)})`;
  }
}

function faultStatus(fsc: number): string {
  const level = fsc & 3;
  switch (fsc & 0x3c) {
    case 0x00:
      return `address size fault, level ${level}`;
    case 0x04:
      return `translation fault, level ${level}`;
    case 0x08:
      return `access flag fault, level ${level}`;
    case 0x0c:
      return `permission fault, level ${level}`;
    default:
      if (fsc === 0x10) return 'synchronous external abort';
      if (fsc === 0x21) return 'alignment fault';
      return `fault status 0x${fsc.toString(16)}`;
  }
}
