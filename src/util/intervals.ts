/**
 * A set of pairwise disjoint half-open intervals `[start, end)`, kept sorted, each with a value
 * and the order it was added in. Overlap queries cost O(log n + k), so checking n mappings for
 * overlaps is no longer quadratic.
 */
export class DisjointIntervals<T> {
  private readonly starts: bigint[] = [];
  private readonly items: { start: bigint; end: bigint; value: T; order: number }[] = [];
  private added = 0;

  /** Values whose interval overlaps `[start, end)`, first-added first. */
  overlapping(start: bigint, end: bigint): T[] {
    if (end <= start) return [];
    // The last interval starting before `end`, then walk left while intervals still reach `start`.
    let i = this.upperBound(end) - 1;
    const hits: { value: T; order: number }[] = [];
    while (i >= 0 && this.items[i]!.end > start) {
      hits.push(this.items[i]!);
      i--;
    }
    // Intervals are disjoint, so one that ends at or before `start` ends the run.
    return hits.sort((a, b) => a.order - b.order).map((h) => h.value);
  }

  /** Add an interval that overlaps none already present. */
  add(start: bigint, end: bigint, value: T): void {
    const at = this.upperBound(start);
    this.starts.splice(at, 0, start);
    this.items.splice(at, 0, { start, end, value, order: this.added++ });
  }

  private upperBound(x: bigint): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
