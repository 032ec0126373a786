/** Reading delivered mails (raw MIME, as the SMTP test server or the .eml files hold them). */

/**
 * The raw message with quoted-printable soft line breaks and escapes decoded, and HTML's escapes of `=`
 * and `&` undone: enough to find a link or a code in any of its parts.
 */
export function readableMail(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes)
    .toString('utf8')
    .replace(/&#x3D;|&#61;/gi, '=')
    .replace(/&amp;/g, '&');
}

/**
 * The email-verification token in a mail, or undefined: from the storefront link
 * `{STOREFRONT_URL}/verify-email?token=…` (contract §11), else from the token printed in the mail
 * (the verification template before the storefront links).
 */
export function verificationTokenIn(raw: string): string | undefined {
  const text = readableMail(raw);
  return (
    /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ??
    /verification token: <strong>([A-Za-z0-9_-]+)<\/strong>/.exec(text)?.[1]
  );
}
