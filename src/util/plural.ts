/** Counts as a person writes them: "1 byte", "8 bytes", "1 protection domain". */
export function plural(n: number | bigint, word: string, many = `${word}s`): string {
  return `${n} ${BigInt(n) === 1n ? word : many}`;
}

export function bytesText(n: number | bigint): string {
  return plural(n, 'byte');
}
