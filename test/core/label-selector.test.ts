import { formatSelector, selectorMatches } from '../../src/core/label-selector.js';

describe('selectorMatches', () => {
  const prod = { env: 'prod', region: 'eu' };

  it('matchLabels: every pair must be present with its value', () => {
    expect(selectorMatches({ matchLabels: { env: 'prod' } }, prod)).toBe(true);
    expect(selectorMatches({ matchLabels: { env: 'prod', region: 'us' } }, prod)).toBe(false);
    expect(selectorMatches({ matchLabels: { tier: '' } }, prod)).toBe(false);
    expect(selectorMatches({ matchLabels: { tier: '' } }, { tier: '' })).toBe(true);
  });

  it('In: the label is present and its value listed', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] }, prod)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, prod)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, prod)).toBe(false);
  });

  it('NotIn: the value is not listed, or the label is absent', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, prod)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, prod)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, prod)).toBe(true);
  });

  it('Exists and DoesNotExist look at the key only', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'region', operator: 'Exists' }] }, prod)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, prod)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] }, prod)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, prod)).toBe(true);
  });

  it('every term must hold', () => {
    const sel = { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'In' as const, values: ['us'] }] };
    expect(selectorMatches(sel, prod)).toBe(false);
    expect(selectorMatches(sel, { env: 'prod', region: 'us' })).toBe(true);
  });

  it('an empty selector matches any labels, even none; unknown labels match nothing', () => {
    expect(selectorMatches({}, prod)).toBe(true);
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches({ matchExpressions: [] }, {})).toBe(true);
    expect(selectorMatches({}, undefined)).toBe(false);
  });

  it('does not take inherited properties for labels', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).toBe(false);
    expect(selectorMatches({ matchLabels: { constructor: 'x' } }, {})).toBe(false);
  });

  it('formats as Kubernetes prints selectors', () => {
    expect(
      formatSelector({
        matchLabels: { env: 'prod' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'zone', operator: 'NotIn', values: ['x'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('env=prod,tier in (a,b),zone notin (x),team,!legacy');
    expect(formatSelector({})).toBe('(all)');
  });
});
