import { MergeStrategyName } from '../../config/env.schema';

export interface MergeContext {
  userCartUpdatedAt: Date;
  guestCartUpdatedAt: Date;
}

/** Decides the quantity of a product that is in both carts (contract §5). Caps are applied afterwards. */
export interface MergeStrategy {
  readonly name: MergeStrategyName;
  combine(userQuantity: number, guestQuantity: number, context: MergeContext): number;
}

const sum: MergeStrategy = { name: 'sum', combine: (user, guest) => user + guest };
const guest: MergeStrategy = { name: 'guest', combine: (_user, guestQuantity) => guestQuantity };
const user: MergeStrategy = { name: 'user', combine: (userQuantity) => userQuantity };
/** The cart modified last wins; on a tie the guest cart does (spec 000: guest takes precedence for newer changes). */
const newest: MergeStrategy = {
  name: 'newest',
  combine: (userQuantity, guestQuantity, { userCartUpdatedAt, guestCartUpdatedAt }) =>
    userCartUpdatedAt.getTime() > guestCartUpdatedAt.getTime() ? userQuantity : guestQuantity,
};

const STRATEGIES: Record<MergeStrategyName, MergeStrategy> = { sum, guest, user, newest };

export function mergeStrategy(name: MergeStrategyName): MergeStrategy {
  return STRATEGIES[name];
}
