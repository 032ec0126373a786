import { randomUUID } from 'node:crypto';
import type { Schemas } from './api-types';

/**
 * Fixture builders: the bodies and values tests send, declared once. Data that must exist in the
 * database (products, users, carts, orders) is made through the API by factories.ts.
 */

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

/**
 * The guest checkout's shipping address, customer and payment (contract §6). The address fills every
 * field, line2 and state included, so that order checks cover each of them.
 */
export const SHIPPING: Schemas['ShippingAddressDto'] = {
  line1: '1 Main Street',
  line2: 'Apt 4',
  city: 'Springfield',
  state: 'IL',
  postal_code: '62701',
  country: 'US',
};
/** Only the required address fields (contract §6: line2 and state are optional). */
export const MINIMAL_SHIPPING: Schemas['ShippingAddressDto'] = {
  line1: '1 Main Street',
  city: 'Springfield',
  postal_code: '62701',
  country: 'US',
};
export const CARD: Schemas['PaymentInfoDto'] = { method: 'card', token: 'tok_visa' };
export const CUSTOMER = { first_name: 'Jane', last_name: 'Doe', phone: '+1 555 0100' };

/** A valid guest order body for `sessionId`; `extra` replaces or adds top-level fields. */
export function guestOrderBody(sessionId: string, email: string = uniqueEmail('buyer'), extra: object = {}) {
  return {
    session_id: sessionId,
    customer_info: { email, ...CUSTOMER },
    shipping_address: SHIPPING,
    payment_info: CARD,
    ...extra,
  };
}

/** A line of a cart write; `quantity` is `unknown` so that validation tests can send anything. */
export function line(product: { id: string } | string, quantity: unknown) {
  return { product_id: typeof product === 'string' ? product : product.id, quantity };
}

/** A valid order number that no order has (the odds of a clash are 2^-50). */
export function unknownOrderNumber(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomUUID().replace(/-/g, '');
  let out = 'GC-';
  for (let i = 0; i < 10; i++) out += alphabet[parseInt(bytes.slice(2 * i, 2 * i + 2), 16) & 31];
  return out;
}

/** The guest email of spec 002's example. */
export const SPEC_GUEST_EMAIL = 'guest_1752580352601_56436599_922668294_umy4h586z7_qwe@checkout.guest';

export type Spec002Item = Schemas['CompatItemDto'];

/** A spec 002 line for `product` at its current price unless told otherwise. */
export function spec002Item(
  product: { id: string; unit_price: number },
  quantity = 1,
  unitPrice = product.unit_price,
): Spec002Item {
  return { productId: product.id, quantity, unitPrice };
}

/** Spec 002's example body (§6), with this service's product UUIDs and current prices. */
export function spec002Body(items: Spec002Item[], email = SPEC_GUEST_EMAIL) {
  return {
    customerData: {
      name: 'Invitado',
      email,
      phone: '+123456789',
      address: 'Calle 123',
      neighborhoodId: '65f1b2c3d4e5f6a7b8c9d0e1',
    },
    shippingAddress: {
      street: 'Calle 123',
      cityId: '65f1b2c3d4e5f6a7b8c9d0e2',
      neighborhoodId: '65f1b2c3d4e5f6a7b8c9d0e1',
    },
    items,
    notes: 'opcional',
  };
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;

/** A password the register rules accept (8–128 characters, contract §3). */
export const PASSWORD = 'correct horse battery';
