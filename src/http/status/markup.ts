/**
 * Markup with automatic escaping: `html\`<p>${text}</p>\`` escapes every interpolated value
 * unless it is itself markup made by `html` (or `raw`, for constants only). User text never
 * reaches a page, a feed or an attribute unescaped. XML feeds use the same escaping.
 */

export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Part = Markup | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for element content and quoted attributes in HTML and XML. Control characters
 * that XML 1.0 forbids even as references are dropped.
 */
export function escapeText(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
  );
}

function render(part: Part): string {
  if (part instanceof Markup) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeText(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Markup {
  let out = strings[0] ?? '';
  for (let n = 0; n < values.length; n++) out += render(values[n] as Part) + (strings[n + 1] ?? '');
  return new Markup(out);
}

/** Trusted constant markup (a stylesheet, an SVG path); never user text. */
export const raw = (text: string) => new Markup(text);
