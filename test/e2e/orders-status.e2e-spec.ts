import { randomUUID } from 'node:crypto';
import { uniqueEmail } from '../support/fixtures';
import { expectError } from '../support/matchers';
import { useShop } from '../support/use-shop';

describe('admin status changes (contract §6)', () => {
  const { api, db } = useShop({}, { trailingSlash: true });

  it('moves an order paid → processing → shipped → delivered and shows tracking in the lookup', async () => {
    const product = await api.product({ stock: 4 });
    const email = uniqueEmail('track');
    const { order } = await api.guestOrder([[product, 1]], { email });

    const processing = await api.setOrderStatus(order.id, { status: 'processing' });
    expect(processing.status).toBe(200);
    expect(processing.body.data.order).toMatchObject({ id: order.id, status: 'processing' });
    const shipped = await api.setOrderStatus(order.id, {
      status: 'shipped',
      carrier: 'UPS',
      tracking_number: '1Z999AA10123456784',
    });
    expect(shipped.status).toBe(200);
    expect((await api.setOrderStatus(order.id, { status: 'delivered' })).status).toBe(200);

    const lookup = await api.lookup('POST', email, order.order_number);
    expect(lookup.status).toBe(200);
    const tracking = lookup.body.data.tracking_info;
    expect(tracking).toMatchObject({
      status: 'delivered',
      carrier: 'UPS',
      tracking_number: '1Z999AA10123456784',
    });
    expect(tracking.status_history.map((entry: { status: string }) => entry.status)).toEqual([
      'paid',
      'processing',
      'shipped',
      'delivered',
    ]);
    const times = tracking.status_history.map((entry: { at: string }) => Date.parse(entry.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(await db.history(order.id)).toEqual(['paid', 'processing', 'shipped', 'delivered']);
    expect(lookup.body.data.order.status).toBe('delivered');
  });

  it('refuses invalid transitions with 409 INVALID_STATUS_TRANSITION and changes nothing', async () => {
    const product = await api.product({ stock: 4 });
    const delivered = (await api.guestOrder([[product, 1]])).order;
    for (const status of ['processing', 'shipped', 'delivered']) {
      expect((await api.setOrderStatus(delivered.id, { status })).status).toBe(200);
    }
    const fresh = (await api.guestOrder([[product, 1]])).order;

    expectError(
      await api.setOrderStatus(delivered.id, { status: 'cancelled' }),
      409,
      'INVALID_STATUS_TRANSITION',
      [{ from: 'delivered', to: 'cancelled' }],
    );
    expectError(await api.setOrderStatus(fresh.id, { status: 'shipped' }), 409, 'INVALID_STATUS_TRANSITION', [
      { from: 'paid', to: 'shipped' },
    ]);

    expect(await db.history(delivered.id)).toEqual(['paid', 'processing', 'shipped', 'delivered']);
    expect(await db.history(fresh.id)).toEqual(['paid']);
    expect(await db.stock(product.id)).toBe(2);
  });

  it('puts the units back when a paid order is cancelled, once', async () => {
    const product = await api.product({ stock: 6 });
    const { order } = await api.guestOrder([[product, 4]]);
    expect(await db.stock(product.id)).toBe(2);

    const res = await api.setOrderStatus(order.id, { status: 'cancelled' });

    expect(res.status).toBe(200);
    expect(res.body.data.order.status).toBe('cancelled');
    expect(await db.stock(product.id)).toBe(6);
    expect(await db.history(order.id)).toEqual(['paid', 'cancelled']);
    expectError(
      await api.setOrderStatus(order.id, { status: 'cancelled' }),
      409,
      'INVALID_STATUS_TRANSITION',
    );
    expect(await db.stock(product.id)).toBe(6);
  });

  it('answers 403 to a non-admin and 404 ORDER_NOT_FOUND for an unknown order', async () => {
    const product = await api.product({ stock: 4 });
    const { order } = await api.guestOrder([[product, 1]]);
    const user = await api.user();

    expectError(await api.setOrderStatus(order.id, { status: 'processing' }, user.token), 403, 'FORBIDDEN');
    expectError(await api.setOrderStatus(randomUUID(), { status: 'processing' }), 404, 'ORDER_NOT_FOUND');
    expect(await db.history(order.id)).toEqual(['paid']);
  });
});
