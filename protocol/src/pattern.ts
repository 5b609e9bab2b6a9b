/**
 * Text patterns in suite files: `/regex/flags`, or plain text matched as a case-insensitive
 * substring. One compiler, so validation and evaluation can never disagree.
 */

export interface TextPattern {
  /** As written in the suite file. */
  source: string;
  test(text: string): boolean;
}

const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;

/** Compiles a pattern or throws a SyntaxError that says what is wrong. */
export function compilePattern(source: string): TextPattern {
  const m = REGEX_LITERAL.exec(source);
  if (m) {
    // The g and y flags make RegExp#test stateful; a pattern must answer the same every time.
    const flags = (m[2] ?? "").replace(/[gy]/g, "");
    let re: RegExp;
    try {
      re = new RegExp(m[1] ?? "", flags);
    } catch (e) {
      throw new SyntaxError(`invalid regex ${source}: ${(e as Error).message}`);
    }
    return { source, test: (text) => re.test(text) };
  }
  const needle = source.toLowerCase();
  return { source, test: (text) => text.toLowerCase().includes(needle) };
}

/** The error message for a pattern, or undefined when it compiles. */
export function patternError(source: string): string | undefined {
  try {
    compilePattern(source);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
