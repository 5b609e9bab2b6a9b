/** How the caller and the assertions quote what the agent said in a detail: JSON-quoted, bounded. */
const MAX_QUOTE_CHARS = 500;

export function quoteText(text: string, maxChars = MAX_QUOTE_CHARS): string {
  if (text.length <= maxChars) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, maxChars))}…`;
}

/** A pattern as the user wrote it: `/re/i` stays as is, plain text is quoted. */
export function describePattern(source: string): string {
  return /^\/.+\/[dgimsuvy]*$/s.test(source) ? source : JSON.stringify(source);
}
