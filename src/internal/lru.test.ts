import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

describe('Lru', () => {
  it('forgets the least recently used key when full; get and set make a key the most recent', () => {
    const lru = new Lru<number>(3);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1); // order of use: b, c, a
    lru.set('d', 4); // forgets b
    expect([...lru.keys()].sort()).toEqual(['a', 'c', 'd']);
    expect(lru.get('b')).toBeUndefined();
    lru.set('c', 30); // order of use: a, d, c
    lru.set('e', 5); // forgets a
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('c')).toBe(30);
    expect(lru.size).toBe(3);
  });

  it('evicts in order of use down to empty, and evicting an empty one does nothing', () => {
    const lru = new Lru<string>(10);
    for (const key of ['x', 'y', 'z']) lru.set(key, key);
    lru.get('x');
    lru.evict();
    expect(lru.get('y')).toBeUndefined();
    lru.evict();
    lru.evict();
    expect(lru.size).toBe(0);
    lru.evict();
    lru.set('w', 'w');
    expect(lru.get('w')).toBe('w');
    expect(lru.size).toBe(1);
  });

  it('keeps its order through many random uses, as a reference model does', () => {
    const lru = new Lru<number>(5);
    const model: string[] = [];
    let seed = 7;
    for (let i = 0; i < 2_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const key = `k${seed % 9}`;
      if (seed % 3 === 0) {
        lru.set(key, i);
        if (model.includes(key)) model.splice(model.indexOf(key), 1);
        else if (model.length === 5) model.shift();
        model.push(key);
      } else {
        const hit = lru.get(key) !== undefined;
        expect(hit).toBe(model.includes(key));
        if (hit) model.push(...model.splice(model.indexOf(key), 1));
      }
      expect(lru.size).toBe(model.length);
    }
  });
});
