/**
 * Host I/O entering virtual time. Socket callbacks run in wall-clock time, between the
 * machine's slices; they post what happened here, and the backend runs the posts at its next
 * `poll(nowNs)` — the first batch boundary after the event loop delivered them — so that each
 * takes effect at one virtual time. `wait` lets an idle machine sleep until something is posted.
 */
export class HostInbox {
  private posts: ((nowNs: number) => void)[] = [];
  private waiting: Promise<void> | undefined;
  private resolveWaiting: (() => void) | undefined;
  /** Sockets that may still deliver (listening or connected). */
  openSockets = 0;

  get open(): boolean {
    return this.openSockets > 0 || this.posts.length > 0;
  }

  post(event: (nowNs: number) => void): void {
    this.posts.push(event);
    this.wake();
  }

  /** Run what was posted, in order, at virtual time `nowNs`. */
  drain(nowNs: number): void {
    while (this.posts.length > 0) {
      const batch = this.posts;
      this.posts = [];
      for (const e of batch) e(nowNs);
    }
  }

  /**
   * Resolves when something is posted (at once if something is waiting) or `wake` is called
   * (a socket closed). One promise serves every waiter until then, so that a machine that waits
   * with a timeout again and again does not pile up callbacks.
   */
  wait(): Promise<void> {
    if (this.posts.length > 0) return Promise.resolve();
    this.waiting ??= new Promise((resolve) => (this.resolveWaiting = resolve));
    return this.waiting;
  }

  wake(): void {
    const resolve = this.resolveWaiting;
    this.waiting = undefined;
    this.resolveWaiting = undefined;
    resolve?.();
  }
}
