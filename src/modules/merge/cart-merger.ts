import { CartLimits, CartLine, CartProduct } from '../cart/cart-rules';
import { MergeContext, MergeStrategy, MergeStrategyName } from './merge-strategies';

/** Why a line the guest cart touched holds less than the strategy asked for (contract §5). */
export const MERGE_CAP_REASONS = ['STOCK_LIMIT', 'LINE_LIMIT'] as const;
export type MergeCapReason = (typeof MERGE_CAP_REASONS)[number];
/** Why a line the guest cart touched was left out of the merged cart (contract §5). */
export const MERGE_DROP_REASONS = ['OUT_OF_STOCK', 'UNAVAILABLE', 'STOCK_LIMIT', 'LINE_LIMIT'] as const;
export type MergeDropReason = (typeof MERGE_DROP_REASONS)[number];

/** What a merge did, line by line (contract §5 merge_report; merge.dto.ts maps it to the wire). */
export interface MergeReport {
  strategy: MergeStrategyName;
  added: { productId: string; quantity: number }[];
  combined: { productId: string; userQuantity: number; guestQuantity: number; quantity: number }[];
  capped: { productId: string; requested: number; quantity: number; reason: MergeCapReason }[];
  removed: { productId: string; quantity: number; reason: MergeDropReason }[];
}

export interface MergePlan {
  /** the user's cart after the merge, in order: the user's lines first, then the guest's new ones */
  lines: CartLine[];
  report: MergeReport;
}

export interface MergeInput {
  userLines: readonly CartLine[];
  guestLines: readonly CartLine[];
  products: ReadonlyMap<string, CartProduct>;
  strategy: MergeStrategy;
  limits: CartLimits;
  context: MergeContext;
}

type Verdict =
  | { keep: true; quantity: number; cappedBy?: MergeCapReason }
  | { keep: false; reason: 'OUT_OF_STOCK' | 'UNAVAILABLE' };

/** Availability, stock and the per-line cap for one requested quantity. */
function judge(product: CartProduct | undefined, requested: number, limits: CartLimits): Verdict {
  if (product === undefined || !product.isActive) return { keep: false, reason: 'UNAVAILABLE' };
  if (product.stock <= 0) return { keep: false, reason: 'OUT_OF_STOCK' };
  const quantity = Math.min(requested, product.stock, limits.maxLineQuantity);
  if (quantity === requested) return { keep: true, quantity };
  return {
    keep: true,
    quantity,
    cappedBy: product.stock < limits.maxLineQuantity ? 'STOCK_LIMIT' : 'LINE_LIMIT',
  };
}

/**
 * Plans the merge of a guest cart into a user cart without I/O (CONVENTIONS: pure planners). Lines only
 * in the user cart are left as they are; lines in both get the strategy's quantity; guest-only lines are
 * added. Every line the guest cart touches is capped at stock and MAX_LINE_QUANTITY, dropped when out of
 * stock or unavailable, and dropped with LINE_LIMIT once the cart holds MAX_CART_LINES lines.
 */
export function planMerge(input: MergeInput): MergePlan {
  const { userLines, guestLines, products, strategy, limits, context } = input;
  const report: MergeReport = { strategy: strategy.name, added: [], combined: [], capped: [], removed: [] };
  const guestByProduct = new Map(guestLines.map((line) => [line.productId, line.quantity]));
  const userProducts = new Set(userLines.map((line) => line.productId));
  const lines: CartLine[] = [];

  const capped = (productId: string, requested: number, verdict: Verdict): void => {
    if (verdict.keep && verdict.cappedBy !== undefined) {
      report.capped.push({
        productId,
        requested,
        quantity: verdict.quantity,
        reason: verdict.cappedBy,
      });
    }
  };

  for (const line of userLines) {
    const guestQuantity = guestByProduct.get(line.productId);
    if (guestQuantity === undefined) {
      lines.push(line);
      continue;
    }
    const requested = strategy.combine(line.quantity, guestQuantity, context);
    const verdict = judge(products.get(line.productId), requested, limits);
    if (!verdict.keep) {
      report.removed.push({ productId: line.productId, quantity: requested, reason: verdict.reason });
      continue;
    }
    lines.push({ productId: line.productId, quantity: verdict.quantity });
    report.combined.push({
      productId: line.productId,
      userQuantity: line.quantity,
      guestQuantity,
      quantity: verdict.quantity,
    });
    capped(line.productId, requested, verdict);
  }

  for (const line of guestLines) {
    if (userProducts.has(line.productId)) continue;
    const verdict = judge(products.get(line.productId), line.quantity, limits);
    if (!verdict.keep) {
      report.removed.push({ productId: line.productId, quantity: line.quantity, reason: verdict.reason });
      continue;
    }
    if (lines.length >= limits.maxLines) {
      report.removed.push({ productId: line.productId, quantity: line.quantity, reason: 'LINE_LIMIT' });
      continue;
    }
    lines.push({ productId: line.productId, quantity: verdict.quantity });
    report.added.push({ productId: line.productId, quantity: verdict.quantity });
    capped(line.productId, line.quantity, verdict);
  }

  return { lines, report };
}
