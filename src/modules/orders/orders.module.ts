import { Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { AuthModule } from '../auth/auth.module';
import { CartModule } from '../cart/cart.module';
import { CatalogModule } from '../catalog/catalog.module';
import { GuestSessionModule } from '../guest-session/guest-session.module';
import { MailModule } from '../mail/mail.module';
import { AdminOrdersController } from './admin-orders.controller';
import { CheckoutService } from './checkout.service';
import { CompatOrdersController } from './compat-orders.controller';
import { CompatOrdersService } from './compat-orders.service';
import { GuestOrdersController } from './guest-orders.controller';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';
import { OrdersController } from './orders.controller';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PAYMENT_PROVIDER, PaymentProvider } from './payment/payment-provider';
import { SandboxPaymentProvider } from './payment/sandbox-payment.provider';

@Module({
  imports: [AuthModule, CartModule, CatalogModule, GuestSessionModule, MailModule],
  // GuestOrdersController first: its static guest-lookup routes sit beside OrdersController's :order_number
  controllers: [GuestOrdersController, OrdersController, AdminOrdersController, CompatOrdersController],
  providers: [
    CheckoutService,
    OrdersService,
    CompatOrdersService,
    OrdersRepository,
    IdempotencyRepository,
    IdempotencyService,
    {
      provide: PAYMENT_PROVIDER,
      inject: [APP_CONFIG],
      // PAYMENT_PROVIDER picks the implementation; `sandbox` is the only one built in (contract §6)
      useFactory: (config: ResolvedAppConfig): PaymentProvider => {
        switch (config.paymentProvider) {
          case 'sandbox':
            return new SandboxPaymentProvider();
        }
      },
    },
  ],
  exports: [OrdersService],
})
export class OrdersModule {}
