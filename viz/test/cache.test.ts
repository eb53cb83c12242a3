import { DocumentCache } from '../src/documents/cache.js';

const build = (text: string) => async () => text;

describe('DocumentCache', () => {
  it('serves a hit without building again and evicts the least recently used beyond its capacity', async () => {
    const cache = new DocumentCache(2, 1000);
    let builds = 0;
    const counted = (text: string) => async () => {
      builds++;
      return text;
    };
    await cache.get('a', counted('A'));
    await cache.get('b', counted('B'));
    expect(await cache.get('a', counted('other'))).toBe('A');
    await cache.get('c', counted('C'));
    expect(builds).toBe(3);
    expect(cache.size).toBe(2);
    expect(await cache.get('b', counted('B2'))).toBe('B2');
    expect(await cache.get('a', counted('A2'))).toBe('A2');
  });

  it('keeps the text it holds under its byte budget and never holds a document larger than the budget', async () => {
    const cache = new DocumentCache(100, 10);
    await cache.get('a', build('xxxx'));
    await cache.get('b', build('yyyy'));
    expect(cache.held).toBe(8);
    await cache.get('c', build('zzzz'));
    expect(cache.held).toBe(8);
    expect(cache.size).toBe(2);
    expect(await cache.get('big', build('x'.repeat(11)))).toHaveLength(11);
    expect(cache.held).toBe(8);
  });

  it('counts a document built twice at once only once', async () => {
    const cache = new DocumentCache(10, 100);
    await Promise.all([cache.get('a', build('12345')), cache.get('a', build('12345'))]);
    expect(cache.size).toBe(1);
    expect(cache.held).toBe(5);
  });
});
