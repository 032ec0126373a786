import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { TransactionalAsynchronousCommit } from '../../database/asynchronous-commit';
import { Clock } from '../../common/util/clock';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { CartService } from '../cart/cart.service';
import { expired, GuestSessionService } from '../guest-session/guest-session.service';
import { planMerge } from './cart-merger';
import { mergeStrategy, MergeStrategy } from './merge-strategies';
import { MergeLogsRepository } from './merge-logs.repository';
import { MergeResultDto, toMergeReportResponse } from './dto/merge.dto';

/** Merges a guest cart into a user's cart once (contract §5). */
@Injectable()
export class MergeService {
  private readonly logger = new Logger(MergeService.name);
  private readonly strategy: MergeStrategy;

  constructor(
    private readonly sessions: GuestSessionService,
    private readonly carts: CartService,
    private readonly logs: MergeLogsRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
  ) {
    this.strategy = mergeStrategy(config.mergeStrategy);
  }

  /**
   * One transaction, five round trips (BEGIN with the decorator's SET LOCAL, three statements of its own,
   * COMMIT): the session, its cart and the user's cart row-locked in one (a concurrent merge of the same
   * session waits, then finds it merged), both carts' lines with their products in one, the plan (no
   * statement), then both carts written and the merge recorded in one. A retry by the same user returns the stored report;
   * another user gets 409. Only carts change (and the merge's record): committed asynchronously when it is
   * its own transaction (database/asynchronous-commit.ts); inside a conversion's it commits as the
   * conversion does.
   */
  @TransactionalAsynchronousCommit()
  async merge(userId: string, guestSessionId: string): Promise<MergeResultDto> {
    const locked = this.sessions.locked(
      await this.carts.lockForMerge(this.sessions.parts.lock, { id: guestSessionId, userId }),
    );
    const guestCart = locked.guestCart ?? (await this.carts.createGuestCart(locked.session.id));
    if (guestCart.mergedAt !== null) return this.replay(userId, guestSessionId, guestCart.mergedIntoUserId);
    if (this.sessions.isExpired(locked.session)) throw expired();

    // a user's first cart: created and locked now (the statement above found none to lock)
    const userCart = locked.userCart ?? (await this.carts.lockUserCart(userId));
    // both carts' lines and their products: one statement, read after both locks are held
    const {
      first: userLines,
      second: guestLines,
      products: productMap,
    } = await this.carts.linesOfTwo(userCart.id, guestCart.id);
    const plan = planMerge({
      userLines,
      guestLines,
      products: productMap,
      strategy: this.strategy,
      limits: this.carts.limits,
      context: { userCartUpdatedAt: userCart.updatedAt, guestCartUpdatedAt: guestCart.updatedAt },
    });

    const report = toMergeReportResponse(plan.report);
    const merged = await this.logs.recordMerge(
      this.carts.mergeWrites(userCart.id, guestCart.id, userId, plan.lines),
      guestSessionId,
      report,
      this.clock.now(),
    );
    this.logger.log({ msg: 'cart merged', userId, guestSessionId, report });
    // the answer comes from the rows already read in this transaction, not from a second read
    const items = plan.lines.flatMap((line) => {
      const product = productMap.get(line.productId);
      return product === undefined ? [] : [{ quantity: line.quantity, product }];
    });
    const mergedCart =
      items.length === plan.lines.length ? this.carts.toView(merged, items) : await this.carts.view(merged);
    return { merged_cart: mergedCart, merge_report: report };
  }

  private async replay(
    userId: string,
    guestSessionId: string,
    mergedInto: string | null,
  ): Promise<MergeResultDto> {
    const report = mergedInto === userId ? await this.logs.findReport(guestSessionId) : undefined;
    if (report === undefined) {
      throw new AppError(
        'GUEST_CART_ALREADY_MERGED',
        'This guest cart was already merged into another account',
      );
    }
    const userCart = await this.carts.lockUserCart(userId);
    return { merged_cart: await this.carts.view(userCart), merge_report: report };
  }

  /** Monitoring (contract §12): cart merges ever recorded. */
  count(): Promise<number> {
    return this.logs.count();
  }
}
