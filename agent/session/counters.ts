/** Named monotonically increasing counters (attempts, losses by reason, state entries...). */
export class Counters {
  private readonly values = new Map<string, number>();
  /** The last snapshot, until a counter moves (a fleet asks for it on every state change). */
  private cached: Readonly<Record<string, number>> | undefined;

  add(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
    this.cached = undefined;
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  /**
   * A frozen copy, sorted by name (UTF-16 code units: the names are ASCII, and `localeCompare`
   * would load ICU's collation data, ≈ 2.7 MB of an agent's RSS), safe to serialise.
   */
  snapshot(): Readonly<Record<string, number>> {
    this.cached ??= Object.freeze(Object.fromEntries([...this.values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    return this.cached;
  }
}
