/** The reference tokens of a JSON pointer (RFC 6901), unescaped: '/a~1b/c' → ['a/b', 'c']. */
export function jsonPointerParts(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}
