import { MERGE_STRATEGIES, MergeStrategyName } from '../../config/env.schema';

/**
 * The strategy names (MERGE_STRATEGY, contract §5). The list is declared once, in config/env.schema.ts,
 * because configuration validates it before any module exists and imports nothing (arch lint:
 * config-is-the-base); the rest of the app takes it from here, and `COMBINE` below must name every one.
 */
export { MERGE_STRATEGIES };
export type { MergeStrategyName };

export interface MergeContext {
  userCartUpdatedAt: Date;
  guestCartUpdatedAt: Date;
}

/** Decides the quantity of a product that is in both carts (contract §5). Caps are applied afterwards. */
export interface MergeStrategy {
  readonly name: MergeStrategyName;
  combine(userQuantity: number, guestQuantity: number, context: MergeContext): number;
}

const COMBINE: Record<MergeStrategyName, MergeStrategy['combine']> = {
  sum: (userQuantity, guestQuantity) => userQuantity + guestQuantity,
  guest: (_userQuantity, guestQuantity) => guestQuantity,
  user: (userQuantity) => userQuantity,
  /** The cart modified last wins; on a tie the guest cart does (spec 000: guest takes precedence for newer changes). */
  newest: (userQuantity, guestQuantity, { userCartUpdatedAt, guestCartUpdatedAt }) =>
    userCartUpdatedAt.getTime() > guestCartUpdatedAt.getTime() ? userQuantity : guestQuantity,
};

export function mergeStrategy(name: MergeStrategyName): MergeStrategy {
  return { name, combine: COMBINE[name] };
}
