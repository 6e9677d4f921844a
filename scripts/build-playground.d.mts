export function bashWords(line: string): string[];
export function buildPlayground(outdir: string): Promise<{ sizes: Record<string, { bytes: number; gzip: number }>; examples: string[] }>;
