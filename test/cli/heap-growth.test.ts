import { boundHeapGrowth } from '../../src/cli/heap-growth.js';

describe('the heap growth bound', () => {
  it('is set unless node was started with its own --heap-growing-percent', () => {
    expect(boundHeapGrowth(['--expose-gc'])).toBe(true);
    expect(boundHeapGrowth(['--heap-growing-percent=80'])).toBe(false);
    expect(boundHeapGrowth(['--heap_growing_percent=80'])).toBe(false);
  });
});
