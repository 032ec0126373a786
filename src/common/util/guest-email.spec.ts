import { isGuestEmail, normalizeEmail } from './guest-email';

describe('isGuestEmail', () => {
  it.each([
    'guest_1752580352601_56436599_922668294_umy4h586z7_qwe@checkout.guest',
    'anyone@checkout.guest',
    'ANYONE@Checkout.Guest',
    'guest_x@example.com',
    'GUEST_x@example.com',
    '  guest_padded@example.com  ',
  ])('recognises %s as a guest-pattern address', (email) => {
    expect(isGuestEmail(email)).toBe(true);
  });

  it.each([
    'jane@example.com',
    'guest@example.com',
    'my_guest_@example.com',
    'x@checkout.guest.example.com',
    'x@notcheckout.guests',
  ])('treats %s as a real address', (email) => {
    expect(isGuestEmail(email)).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
  });
});
