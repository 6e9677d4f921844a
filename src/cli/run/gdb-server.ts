import { createServer, type Server, type Socket } from 'node:net';
import { GdbStub } from '../../gdb/stub.js';
import type { Sel4Target } from '../../gdb/sel4-target.js';

/** `--gdb [HOST:]PORT`: where to listen (the host defaults to 127.0.0.1: not the network). */
export function parseGdbAddress(text: string): { host: string; port: number } | undefined {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1] === undefined || m[1] === '' ? '127.0.0.1' : m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

export interface GdbServer {
  /** The address it listens on, as GDB's `target extended-remote` takes it. */
  address: string;
  /** The run is over: tell a waiting client, and close everything. */
  close(code: number): Promise<void>;
}

/**
 * The TCP side of `run --gdb`: one client at a time, each speaking to a `GdbStub` over the
 * target. A client that goes away without detaching lets the run go on by itself (its
 * breakpoints go too); another may attach later.
 */
export async function startGdbServer(target: Sel4Target, host: string, port: number, notice: (line: string) => void): Promise<{ ok: true; server: GdbServer } | { ok: false; message: string }> {
  let client: { socket: Socket; stub: GdbStub | undefined } | undefined;
  /** Set once the run is over: the connection closes because of it, not because GDB left. */
  let ending = false;
  const server: Server = createServer((socket) => {
    if (client) {
      socket.end();
      return;
    }
    socket.setNoDelay(true);
    const me: { socket: Socket; stub: GdbStub | undefined } = { socket, stub: undefined };
    client = me;
    const send = (bytes: Uint8Array) => {
      if (!socket.destroyed) socket.write(bytes);
    };
    const queued: Buffer[] = [];
    const attach = () => {
      me.stub = new GdbStub(target, send, target.lastStop!);
      target.onStop = (e) => me.stub?.stopped(e);
      for (const b of queued.splice(0)) me.stub.receive(b);
    };
    target.machine.debug = target;
    if (target.isStopped && target.lastStop) attach();
    else {
      // Running (--gdb-continue, or after a client left): stop first, then talk.
      target.onStop = () => attach();
      target.machine.requestDebugStop();
    }
    socket.on('data', (chunk: Buffer) => {
      if (me.stub) me.stub.receive(chunk);
      else queued.push(chunk);
    });
    const gone = () => {
      if (client !== me) return;
      client = undefined;
      if (!me.stub?.closed && !ending) {
        notice('GDB disconnected without detaching; the run goes on');
        target.detach();
      }
    };
    socket.on('close', gone);
    socket.on('error', gone);
  });
  const listening = await new Promise<string | undefined>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message));
    server.listen(port, host, () => resolve(undefined));
  });
  if (listening !== undefined) return { ok: false, message: `cannot listen for GDB on ${host}:${port}: ${listening}` };
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  return {
    ok: true,
    server: {
      address: `${host.includes(':') ? `[${host}]` : host}:${actual}`,
      close: async (code) => {
        ending = true;
        const c = client;
        if (c?.stub && !c.stub.closed) c.stub.stopped({ kind: 'exited', code });
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          if (c) c.socket.end();
        });
      },
    },
  };
}
