/**
 * How the core reaches files it does not get as arguments (program images and prefill files on
 * the search paths, the sdk's monitor): the core never imports Node's modules, so that it runs in
 * a browser too. The command line provides Node's file system (src/cli/node-host.ts); the
 * playground provides the files it fetched or the user picked.
 */
export interface HostFiles {
  /** The file's bytes; throws an Error with the errno `code` (ENOENT, EACCES, EISDIR, …) when it cannot be read. */
  read(path: string): Uint8Array;
  /** 'file', 'directory', or undefined when nothing is there. */
  kind(path: string): 'file' | 'directory' | undefined;
  isAbsolute(path: string): boolean;
  /** `dir` and `path` joined as the host's paths join (an absolute `path` replaces `dir`). */
  join(dir: string, path: string): string;
  /** Where a file shipped with sel4ts (`sdk/prebuilt/…`) is. */
  packageFile(relative: string): string;
}

let provided: HostFiles | undefined;

export function provideHostFiles(files: HostFiles): void {
  provided = files;
}

export function hostFiles(): HostFiles {
  if (!provided) throw new Error('internal error: no file access was provided (the command line calls installNodeHost from src/cli/node-host.ts)');
  return provided;
}
