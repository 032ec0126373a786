// mailparser ships no types (and @types/mailparser is not installed): the part of simpleParser the
// tests use.
declare module 'mailparser' {
  export interface ParsedMail {
    subject?: string;
    /** the text/plain part (or, without one, text derived from the HTML) */
    text?: string;
    /** the text/html part, false without one */
    html: string | false;
    /** structured headers (content-type → {value, params}) and plain strings (subject) */
    headers: Map<string, unknown>;
  }
  export function simpleParser(source: string | Buffer): Promise<ParsedMail>;
}
