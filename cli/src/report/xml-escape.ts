/**
 * XML 1.0 escaping. Agent replies and error details are arbitrary text: besides the five
 * markup characters they can hold control characters that XML 1.0 forbids outright (even as
 * `&#1;`), and a JUnit consumer rejects the whole file over one of them. Those are written as
 * visible `\uXXXX` text instead.
 */

// C0 controls except tab/LF/CR, U+FFFE/U+FFFF, and UTF-16 surrogates that are not in a pair.
const NOT_XML_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding forbidden characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replaceInvalid(text: string): string {
  return text.replace(
    NOT_XML_CHAR,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`,
  );
}

/** For element content. */
export function escapeXmlText(text: string): string {
  return replaceInvalid(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** For a double-quoted attribute; line breaks and tabs become references so parsers keep them. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
