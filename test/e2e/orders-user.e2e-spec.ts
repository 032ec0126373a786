import { CARD, SHIPPING } from '../support/fixtures';
import { anyOrderNumber, expectError } from '../support/matchers';
import { useShop } from '../support/use-shop';

describe('user orders (contract §6)', () => {
  const { api, db } = useShop({}, { trailingSlash: true });

  function placeUserOrder(token?: string) {
    return api.placeUserOrder(token, { shipping_address: SHIPPING, payment_info: CARD });
  }

  it("orders the user's cart, empties it and lists the order among the user's orders", async () => {
    const user = await api.user();
    const product = await api.product({ unit_price: 700, stock: 4 });
    await api.addToUserCart(user.token, [[product, 3]]);

    const res = await placeUserOrder(user.token);

    expect(res.status).toBe(201);
    const order = res.body.data.order;
    expect(order).toMatchObject({
      order_number: anyOrderNumber(),
      status: 'paid',
      email: user.email,
      is_guest: false,
      items: [
        expect.objectContaining({ product_id: product.id, quantity: 3, unit_price: 700, line_total: 2100 }),
      ],
      subtotal: 2100,
      total: 2100,
      currency: 'USD',
    });
    expect(res.body.data.confirmation_details).toMatchObject({
      order_number: order.order_number,
      email: user.email,
      email_queued: true,
    });
    expect(await db.stock(product.id)).toBe(1);
    const cart = await api.userCart(user.token);
    expect(cart.body.data.cart.items).toEqual([]);

    const list = await api.userOrders(user.token);
    expect(list.status).toBe(200);
    expect(list.body.data.orders).toEqual([order]);

    const one = await api.userOrder(user.token, order.order_number);
    expect(one.status).toBe(200);
    expect(one.body.data.order).toEqual(order);
  });

  it('answers 401 without a token and leaves nothing ordered', async () => {
    const before = await db.orderCount();
    expectError(await placeUserOrder(), 401, 'UNAUTHENTICATED');
    expectError(await api.userOrders(), 401, 'UNAUTHENTICATED');
    expect(await db.orderCount()).toEqual(before);
  });

  it("answers 404 ORDER_NOT_FOUND for another user's order and for a guest order's number", async () => {
    const owner = await api.user();
    const other = await api.user();
    const product = await api.product({ stock: 4 });
    await api.addToUserCart(owner.token, [[product, 1]]);
    const mine = (await placeUserOrder(owner.token)).body.data.order.order_number;
    const guest = (await api.guestOrder([[product, 1]])).order.order_number;

    expectError(await api.userOrder(other.token, mine), 404, 'ORDER_NOT_FOUND');
    expectError(await api.userOrder(owner.token, guest), 404, 'ORDER_NOT_FOUND');
    expect((await api.userOrders(other.token)).body.data.orders).toEqual([]);
  });
});
