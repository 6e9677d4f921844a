import type { StructuredFormat } from './structured-reader.js';

/** The formats a system description can be written in. */
export type InputFormat = 'xml' | StructuredFormat;

export function formatFromName(name: string): InputFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  return 'xml';
}

/**
 * The format a text looks like: XML starts with `<`, JSON with `{`, and YAML has a key at the
 * start of its first line that is not a comment.
 */
export function formatFromContent(text: string): InputFormat | undefined {
  const body = text.replace(/^\uFEFF/, '').replace(/^(\s|#[^\n]*\n)*/, '');
  if (body.startsWith('<')) return 'xml';
  if (body.startsWith('{')) return 'json';
  if (/^[A-Za-z_][\w-]*\s*:(\s|$)/.test(body)) return 'yaml';
  return undefined;
}

/**
 * The format of a description: its name's extension says (.system/.xml are XML, whatever they
 * hold, as the reference tool reads them); a file with another name is read as what it looks like.
 */
export function formatOf(name: string, text: string): InputFormat {
  if (/\.(system|xml|ya?ml|json)$/i.test(name)) return formatFromName(name);
  return formatFromContent(text) ?? 'xml';
}
