import { randomUUID } from 'node:crypto';
import { createTestApp, TestApp } from '../support/test-app';

/** Contract §1: a missing required field answers 400 VALIDATION_FAILED with "<field> is required". */
describe('required fields (contract §1)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const guestOrder = () => ({
    session_id: randomUUID(),
    customer_info: { email: 'jane@example.com', first_name: 'Jane', last_name: 'Doe' },
    shipping_address: { line1: '1 Main Street', city: 'Springfield', postal_code: '62701', country: 'US' },
    payment_info: { method: 'card', token: 'tok_visa' },
  });

  it('names each missing body field once, as "<field> is required"', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', { body: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [
          { field: 'email', message: 'email is required' },
          { field: 'password', message: 'password is required' },
        ],
      },
    });
  });

  it('treats null as a value of the wrong type, not as a missing field', async () => {
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: null, password: 'secret-123' },
    });
    expect(login.status).toBe(400);
    expect(login.body.error.details).toContainEqual({
      field: 'email',
      message: 'email must be an email address',
    });
    expect(login.body.error.details).not.toContainEqual({ field: 'email', message: 'email is required' });
  });

  it('keeps the constraint messages of a value that is present but wrong', async () => {
    const res = await t.request('POST', '/api/v1/auth/register', {
      body: { email: 'not-an-email', password: 'short' },
    });
    expect(res.status).toBe(400);
    const details = res.body.error.details as { field: string; message: string }[];
    expect(details).toContainEqual({ field: 'email', message: 'email must be an email address' });
    expect(details.filter((d) => d.field === 'password')).not.toEqual([]);
    expect(details.map((d) => d.message)).not.toContainEqual(expect.stringMatching(/is required/));
  });

  it('names a missing nested field by its dotted path', async () => {
    const body = guestOrder();
    delete (body.customer_info as Partial<typeof body.customer_info>).email;
    delete (body.shipping_address as Partial<typeof body.shipping_address>).city;
    const res = await t.request('POST', '/api/v1/orders/guest', { body });
    expect(res.status).toBe(400);
    // one entry per missing field, in no particular order
    expect(res.body.error.details).toHaveLength(2);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'shipping_address.city', message: 'shipping_address.city is required' },
        { field: 'customer_info.email', message: 'customer_info.email is required' },
      ]),
    );
  });

  it('names a missing nested object once, not each of its fields', async () => {
    const { payment_info: _omitted, ...body } = guestOrder();
    const res = await t.request('POST', '/api/v1/orders/guest', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'payment_info', message: 'payment_info is required' }]);
  });

  it('names a missing field inside a list by its index', async () => {
    const res = await t.request('POST', '/api/v1/cart/guest', {
      body: { items: [{ product_id: randomUUID() }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { field: 'items.0.quantity', message: 'items.0.quantity is required' },
    ]);
  });

  it('names a missing required query parameter', async () => {
    const res = await t.request('GET', '/api/v1/orders/guest-lookup?order_number=GC-7K2M9QX4TB');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'email', message: 'email is required' }]);
  });

  it('uses the camelCase field names of the spec-002 endpoint', async () => {
    const res = await t.request('POST', '/api/orders', {
      body: {
        customerData: { name: 'Invitado', phone: '+123456789', address: 'Calle 123', neighborhoodId: 'n1' },
        shippingAddress: { street: 'Calle 123', cityId: 'c1', neighborhoodId: 'n1' },
        items: [{ productId: randomUUID(), quantity: 1, unitPrice: 100 }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { field: 'customerData.email', message: 'customerData.email is required' },
    ]);
  });

  it('still refuses an unknown field given as null', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'a@example.com', password: 'secret-123', role: null },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'role', message: 'role is not an allowed field' }]);
  });
});
