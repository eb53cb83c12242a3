// Hashes of API keys found unknown a moment ago. Without it, each request with a wrong key would
// make serve re-read the change counter (a database query) before answering 401, so a client
// trying keys could drive the database; with it, a repeated wrong key is refused from memory.
// A key created since is still found within one poll (SERVE_POLL_MS), which reloads the keys.

/** Long enough to absorb a client retrying in a loop, short enough not to matter for a new key. */
export const UNKNOWN_KEY_TTL_MS = 10_000;
/** Bounded memory: past this many, the oldest half is forgotten. */
const MAX_ENTRIES = 10_000;

export class UnknownKeys {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs = UNKNOWN_KEY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while `hash` was found unknown within the last ttl. */
  has(hash: string): boolean {
    const t = this.until.get(hash);
    if (t === undefined) return false;
    if (t > this.now()) return true;
    this.until.delete(hash);
    return false;
  }

  add(hash: string): void {
    if (this.until.size >= MAX_ENTRIES) {
      // A Map iterates in insertion order: the first half are the oldest entries.
      let drop = this.until.size / 2;
      for (const k of this.until.keys()) {
        if (drop-- <= 0) break;
        this.until.delete(k);
      }
    }
    this.until.delete(hash);
    this.until.set(hash, this.now() + this.ttlMs);
  }
}
