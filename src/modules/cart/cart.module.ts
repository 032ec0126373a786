import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { GuestSessionModule } from '../guest-session/guest-session.module';
import { CartController } from './cart.controller';
import { CartRepository } from './cart.repository';
import { CartService } from './cart.service';
import { GuestCartController } from './guest-cart.controller';
import { GuestCartService } from './guest-cart.service';
import { GuestCartsRepository } from './guest-carts.repository';

/** Every cart, whoever owns it: a user's (CartController) or a guest session's (GuestCartController). */
@Module({
  imports: [CatalogModule, GuestSessionModule],
  controllers: [CartController, GuestCartController],
  providers: [CartService, CartRepository, GuestCartService, GuestCartsRepository],
  exports: [CartService, GuestCartService],
})
export class CartModule {}
