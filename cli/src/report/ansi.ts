/** The few ANSI sequences the terminal output uses; `paint` is the identity when color is off. */
export const CLEAR_LINE = "\r\u001B[2K";

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33 } as const;
export type Style = keyof typeof CODES;

export function paint(style: Style, text: string, color: boolean): string {
  return color ? `\u001B[${CODES[style]}m${text}\u001B[0m` : text;
}
