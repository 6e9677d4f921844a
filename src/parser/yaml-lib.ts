import type { Scalar, YAMLMap, YAMLSeq } from 'yaml';

// Loaded on first use: most runs read XML, and loading the YAML library costs ~20 ms. The host
// says how (src/cli/node-host.ts requires it; the playground bundles it), so that the parser
// imports nothing of Node's.
type YamlModule = typeof import('yaml');
let yamlModule: YamlModule | undefined;
let loadYaml: (() => YamlModule) | undefined;

export function provideYaml(load: () => YamlModule): void {
  loadYaml = load;
}

export function yamlLib(): YamlModule {
  if (!yamlModule) {
    if (!loadYaml) throw new Error('internal error: no YAML library was provided (the command line calls installNodeHost from src/cli/node-host.ts)');
    yamlModule = loadYaml();
  }
  return yamlModule;
}

export const isMap = (n: unknown): n is YAMLMap => yamlLib().isMap(n);
export const isSeq = (n: unknown): n is YAMLSeq => yamlLib().isSeq(n);
export const isScalar = (n: unknown): n is Scalar => yamlLib().isScalar(n);
