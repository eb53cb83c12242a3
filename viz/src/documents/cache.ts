// Built documents kept per dataset version, as their JSON text: reloading a dataset bumps its
// version, so a stale document is never served. Least recently used entries go first, and the
// cache holds at most `capacity` documents and `maxBytes` of text, so its memory is bounded
// whatever the documents' sizes.
export class DocumentCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;
  constructor(
    private readonly capacity = 16,
    private readonly maxBytes = 64 << 20,
  ) {}

  async get(key: string, build: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const json = await build();
    if (json.length > this.maxBytes) return json;
    // Two requests may have built the same document at once: keep one copy.
    const twin = this.entries.get(key);
    if (twin !== undefined) {
      this.entries.delete(key);
      this.bytes -= twin.length;
    }
    this.entries.set(key, json);
    this.bytes += json.length;
    while (this.entries.size > this.capacity || this.bytes > this.maxBytes) {
      const [oldest, text] = this.entries.entries().next().value as [string, string];
      this.entries.delete(oldest);
      this.bytes -= text.length;
    }
    return json;
  }

  get size(): number {
    return this.entries.size;
  }
  /** Characters of JSON held. */
  get held(): number {
    return this.bytes;
  }
}
