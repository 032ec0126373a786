import type { components } from '../../client';
import { HttpResult } from './test-app';

/**
 * The response types of the API, from the generated OpenAPI types (client/schema.d.ts), so that a test
 * reads `res.body.data.cart.items` with the contract's own field names and a typo fails to compile.
 */
export type Schemas = components['schemas'];

export type Cart = Schemas['CartDto'];
export type CartItem = Schemas['CartItemDto'];
export type GuestCart = Schemas['GuestCartDto'];
export type GuestCartWrite = Schemas['GuestCartWriteResultDto'];
export type GuestCartRead = Schemas['GuestCartReadResultDto'];
export type CartEnvelope = Schemas['CartEnvelopeDto'];
export type MergeResult = Schemas['MergeResultDto'];
export type MergeReport = Schemas['MergeReportDto'];
export type Order = Schemas['OrderDto'];
export type PlacedOrder = Schemas['PlacedOrderDto'];
export type OrderEnvelope = Schemas['OrderEnvelopeDto'];
export type OrderList = Schemas['OrderListDto'];
export type LookupResult = Schemas['GuestLookupResultDto'];
export type Product = Schemas['ProductDto'];
export type ProductEnvelope = Schemas['ProductEnvelopeDto'];
export type ProductPage = Schemas['ProductPageDto'];
export type User = Schemas['UserDto'];
export type AuthResult = Schemas['AuthResultDto'];
export type UserEnvelope = Schemas['UserEnvelopeDto'];
export type VerifyEmailResult = Schemas['VerifyEmailResultDto'];
export type ConvertGuestResult = Schemas['ConvertGuestResultDto'];
export type CompatOrder = Schemas['CompatOrderDto'];
export type ErrorDetail = Schemas['ErrorDetailDto'];

/**
 * A response body as tests read it: the success envelope's `data` and the error envelope's `error` on
 * one type, so that a test asserts the status first and then reads either without a cast. The
 * OpenAPI check of every response (openapi-validator.ts) proves which of the two it really was.
 */
export interface ApiBody<T> {
  success: boolean;
  data: T;
  error: ErrorDetail;
  /** spec 002's `POST /api/orders` adds a message beside `data` */
  message?: string;
}

/** An HttpResult whose body is typed as the endpoint's envelope. */
export type ApiResult<T> = Omit<HttpResult, 'body'> & { body: ApiBody<T> };
