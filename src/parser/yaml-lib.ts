import { createRequire } from 'node:module';
import type { Scalar, YAMLMap, YAMLSeq } from 'yaml';

// Loaded on first use: most runs read XML, and loading the YAML library costs ~20 ms.
type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;

export function yamlLib(): YamlModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return yamlModule;
}

export const isMap = (n: unknown): n is YAMLMap => yamlLib().isMap(n);
export const isSeq = (n: unknown): n is YAMLSeq => yamlLib().isSeq(n);
export const isScalar = (n: unknown): n is Scalar => yamlLib().isScalar(n);
