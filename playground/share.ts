/**
 * The `#system=…` fragment of a shared link: the description, deflate-raw compressed
 * (CompressionStream, in every current browser and in Node) and base64url encoded, so that a
 * link carries an edited description without any server.
 */

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Response(bytes.slice()).body!.pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export async function encodeSystem(text: string): Promise<string> {
  return toBase64Url(await pipe(new TextEncoder().encode(text), new CompressionStream('deflate-raw')));
}

/** The description a fragment carries; undefined when it is not one (a truncated or edited link). */
export async function decodeSystem(fragment: string): Promise<string | undefined> {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await pipe(fromBase64Url(fragment), new DecompressionStream('deflate-raw')));
  } catch {
    return undefined;
  }
}
