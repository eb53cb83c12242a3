// Built documents kept per dataset version, as their JSON text: reloading a dataset bumps its
// version, so a stale document is never served. Least recently used entries go first.
export class DocumentCache {
  private readonly entries = new Map<string, string>();
  constructor(private readonly capacity = 16) {}

  async get(key: string, build: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const json = await build();
    this.entries.set(key, json);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return json;
  }

  get size(): number { return this.entries.size; }
}
