/**
 * What carenet repeats back of what someone wrote. Anyone can invite the bot to a room and
 * make it say things, so it repeats only a short, plain name: never a phone number, a link
 * or a long text someone chose for it to post.
 */
const SAFE_NAME = /^[a-z-]{1,24}$/;
/** A plain word, or something in a strict format carenet asked for: a date, a time or range, a short number. */
const SAFE_WORD = /^(?:[A-Za-z-]{1,24}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(?:[-–]\d{1,2}:\d{2})?|#?\d{1,6})$/;

/** The name itself if it is short and only letters and hyphens; otherwise undefined. */
export function safeCommandName(name: string): string | undefined {
  return SAFE_NAME.test(name) ? name : undefined;
}

/** `!name` in code marks, if the name is short and only letters and hyphens; otherwise undefined. */
export function echoableCommand(name: string): string | undefined {
  return SAFE_NAME.test(name) ? `\`!${name}\`` : undefined;
}

/** The word itself if it is such a plain word (see SAFE_WORD); otherwise undefined. */
export function echoableWord(word: string): string | undefined {
  return SAFE_WORD.test(word) ? word : undefined;
}

/**
 * A refusal that quotes what was written (`"xyz" is not a date.`) with every quoted part
 * that is not such a plain word replaced by "that": longer digits could be a phone number,
 * other text a link. The person sees what they wrote just above the answer.
 */
export function withoutQuotedInput(text: string): string {
  return text.replace(/"([^"]*)"/g, (whole, inner: string, offset: number) => {
    if (SAFE_WORD.test(inner)) return whole;
    return offset === 0 || /[.!?:]\s*$/.test(text.slice(0, offset)) ? "That" : "that";
  });
}
