// The host side of the echo guest's conversation, as the tests run it against sel4ts and
// record.sh against real seL4 in QEMU: a UDP datagram to HOST_UDP, a TCP connection to
// HOST_TCP that sends a line and closes after its echo. Prints what came back.
// usage: node echo-client.mjs HOST_TCP HOST_UDP
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const [tcpPort, udpPort] = process.argv.slice(2).map(Number);
const udp = createSocket('udp4');
const udpEcho = new Promise((resolve) => udp.once('message', (m) => resolve(m.toString())));
udp.send('udp: hello\n', udpPort, '127.0.0.1');
console.log(`udp echo: ${JSON.stringify(await udpEcho)}`);
udp.close();
const line = 'tcp: hello from the host\n';
const socket = connect({ port: tcpPort, host: '127.0.0.1', allowHalfOpen: true });
let got = '';
socket.on('data', (d) => {
  got += d;
  if (got === line) socket.end();
});
socket.write(line);
await new Promise((resolve) => socket.on('end', resolve));
console.log(`tcp echo: ${JSON.stringify(got)}, then FIN`);
socket.destroy();
