import { UnknownKeys } from '../src/unknown-keys.js';

describe('the unknown-key cache', () => {
  it('remembers an unknown key for its time to live, then forgets it', () => {
    let now = 1000;
    const cache = new UnknownKeys(50, () => now);
    cache.add('h1');
    expect(cache.has('h1')).toBe(true);
    expect(cache.has('h2')).toBe(false);
    now += 51;
    expect(cache.has('h1')).toBe(false);
  });
});
