/** One bundled example as the page lists it (examples/index.json, written by scripts/build-playground.mjs). */
export interface ExampleEntry {
  name: string;
  /** The description's file name, e.g. 'hello.system'. */
  system: string;
  /** The other files it needs (programs, prefill data), fetched from examples/<name>/. */
  files: string[];
  /** From its run-args.txt: what the UART receives, --until, --allow-faults. */
  input: string;
  until?: string;
  allowFaults: boolean;
  /** Its --drive disks (always run as snapshot=on: the page writes no file) and --global virtio-mmio.force-legacy. */
  drives?: { file: string; readOnly: boolean }[];
  forceLegacy?: boolean;
}
