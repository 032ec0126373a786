import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../../common/idempotency/idempotency.module';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/app-config';
import { AuthModule } from '../auth/auth.module';
import { CartModule } from '../cart/cart.module';
import { CatalogModule } from '../catalog/catalog.module';
import { MailModule } from '../mail/mail.module';
import { OrdersModule } from '../orders/orders.module';
import { CheckoutController } from './checkout.controller';
import { CheckoutService } from './checkout.service';
import { PaymentReconciler } from './payment-reconciler';
import { PaymentSettlement } from './payment-settlement.service';
import { PAYMENT_PROVIDER, PaymentProvider } from './payment/payment-provider';
import { SandboxLedgerRepository } from './payment/sandbox-ledger.repository';
import { SandboxPaymentProvider } from './payment/sandbox-payment.provider';

/** Placing orders from every source, the payment steps and their reconciler (contract §6). */
@Module({
  imports: [AuthModule, CartModule, CatalogModule, MailModule, OrdersModule, IdempotencyModule],
  controllers: [CheckoutController],
  providers: [
    CheckoutService,
    PaymentSettlement,
    PaymentReconciler,
    SandboxLedgerRepository,
    {
      provide: PAYMENT_PROVIDER,
      inject: [APP_CONFIG, SandboxLedgerRepository],
      // PAYMENT_PROVIDER picks the implementation; `sandbox` is the only one built in (contract §6)
      useFactory: (config: ResolvedAppConfig, ledger: SandboxLedgerRepository): PaymentProvider => {
        switch (config.paymentProvider) {
          case 'sandbox':
            return new SandboxPaymentProvider(ledger, config.paymentSandboxLatencyMs);
        }
      },
    },
  ],
  exports: [CheckoutService, PaymentReconciler],
})
export class CheckoutModule {}
