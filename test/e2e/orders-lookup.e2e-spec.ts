import { unknownOrderNumber, uniqueEmail } from '../support/fixtures';
import { anyIsoTime, expectError } from '../support/matchers';
import { HttpResult } from '../support/test-app';
import { useShop } from '../support/use-shop';

describe('guest order lookup (contract §7)', () => {
  const { api } = useShop({}, { trailingSlash: true });

  it('finds a guest order by email (any letter case) and number, with GET and with POST', async () => {
    const product = await api.product({ stock: 4 });
    const email = uniqueEmail('lookup');
    const placed = await api.guestOrder([[product, 2]], { email });

    for (const method of ['POST', 'GET'] as const) {
      const res = await api.lookup(method, email.toUpperCase(), placed.order.order_number);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          order: placed.order,
          tracking_info: {
            status: 'paid',
            status_history: [{ status: 'paid', at: anyIsoTime() }],
            carrier: null,
            tracking_number: null,
          },
        },
      });
    }
  });

  it('answers every mismatch with the same 404 ORDER_NOT_FOUND body, byte for byte, on GET and POST', async () => {
    const product = await api.product({ stock: 4 });
    const email = uniqueEmail('lookup');
    const placed = await api.guestOrder([[product, 1]], { email });
    const otherEmail = uniqueEmail('stranger');
    const otherNumber = unknownOrderNumber();

    const answers: HttpResult[] = [];
    for (const method of ['POST', 'GET'] as const) {
      answers.push(await api.lookup(method, otherEmail, placed.order.order_number)); // wrong email
      answers.push(await api.lookup(method, email, otherNumber)); // wrong number
      answers.push(await api.lookup(method, otherEmail, otherNumber)); // both wrong
    }

    expectError(answers[0], 404, 'ORDER_NOT_FOUND');
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.raw).toBe(answers[0].raw);
    }
  });
});
