import { internetChecksum } from './checksum.js';

/** ICMP (RFC 792): the echo request and reply, all the gateway answers. */

const ICMP_TYPE = { ECHO_REPLY: 0, ECHO_REQUEST: 8 } as const;

/** The echo reply to an echo request message (same identifier, sequence number and data), or undefined when it is not one or its checksum fails. */
export function echoReply(request: Uint8Array): Uint8Array | undefined {
  if (request.length < 8 || request[0] !== ICMP_TYPE.ECHO_REQUEST || request[1] !== 0) return undefined;
  if (internetChecksum(request) !== 0) return undefined;
  const reply = request.slice();
  reply[0] = ICMP_TYPE.ECHO_REPLY;
  reply[2] = 0;
  reply[3] = 0;
  const sum = internetChecksum(reply);
  reply[2] = sum >> 8;
  reply[3] = sum & 0xff;
  return reply;
}
