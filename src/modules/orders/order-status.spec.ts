import { canTransition } from './order-status';

describe('order status transitions', () => {
  it.each([
    ['paid', 'processing'],
    ['processing', 'shipped'],
    ['shipped', 'delivered'],
    ['paid', 'cancelled'],
    ['processing', 'cancelled'],
    ['pending', 'processing'],
    ['pending', 'cancelled'],
  ] as const)('allows %s → %s', (from, to) => expect(canTransition(from, to)).toBe(true));

  it.each([
    ['paid', 'shipped'],
    ['shipped', 'cancelled'],
    ['delivered', 'cancelled'],
    ['cancelled', 'paid'],
    ['delivered', 'shipped'],
    ['paid', 'paid'],
  ] as const)('refuses %s → %s', (from, to) => expect(canTransition(from, to)).toBe(false));
});
