import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { AuthUser } from '../../common/auth/auth.types';
import type { IdempotencyAttempt } from '../../common/idempotency/idempotency.types';
import { isGuestEmail } from '../../common/util/guest-email';
import { AuthService } from '../auth/auth.service';
import { CheckoutService } from '../checkout/checkout.service';
import { PlacedOrder } from '../checkout/payment-settlement.service';
import { CompatCreateOrderDto } from './dto/compat-order.dto';

/**
 * spec 002's `POST /api/orders` (contract §9) on the shared checkout: guest-pattern emails order freely,
 * a registered email needs that account's token (400), the client's unit prices must be the current ones,
 * no payment step (status PENDING).
 */
@Injectable()
export class CompatOrdersService {
  constructor(
    private readonly checkout: CheckoutService,
    private readonly auth: AuthService,
  ) {}

  async create(
    dto: CompatCreateOrderDto,
    caller: AuthUser | undefined,
    attempt?: IdempotencyAttempt,
  ): Promise<PlacedOrder> {
    const email = dto.customerData.email;
    const account = caller === undefined ? undefined : await this.auth.accountOf(caller.id);
    if (!isGuestEmail(email) && account?.email !== email && (await this.auth.isEmailRegistered(email))) {
      // contract §9: 400 on this route (CompatOrdersController's @RouteConfig)
      throw new AppError('EMAIL_ALREADY_REGISTERED', 'Email already registered. Log in to order.');
    }
    const [firstName, ...rest] = dto.customerData.name.split(/\s+/);
    return this.checkout.placeLines(
      {
        lines: dto.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
        expectedPrices: new Map(dto.items.map((item) => [item.productId, item.unitPrice])),
        customer: { email, firstName, lastName: rest.join(' '), phone: dto.customerData.phone },
        shippingAddress: {
          line1: dto.shippingAddress.street,
          city: dto.shippingAddress.cityId,
          postal_code: '',
          country: '',
          city_id: dto.shippingAddress.cityId,
          neighborhood_id: dto.shippingAddress.neighborhoodId,
        },
        userId: caller?.id ?? null,
        notes: dto.notes ?? null,
      },
      attempt,
    );
  }
}
