/**
 * Read the exact text of a number at a dot path in a JSON document. `JSON.parse` turns `9007199254740993`
 * into `9007199254740992` and `1e21` into `1e+21`: an id read that way can collapse two events into one.
 * The scan below walks only the path, iteratively (no recursion, so any nesting depth is safe), and
 * resolves keys as `JSON.parse` does: escapes decoded, the last of duplicate keys wins.
 */

/** A JSON number token: its exact text (used for ids) and its value (used for times). */
export class JsonNumber {
  /**
   * @param text the number token exactly as written, e.g. `9007199254740993` or `1e21`
   * @param value what `JSON.parse` makes of it
   * @example new JsonNumber("1e21", 1e21).toString() // "1e21"
   */
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}

  /** The exact text, so template strings and `String()` keep every digit. */
  toString(): string {
    return this.text;
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** Index just after the JSON string that starts at `at` (a `"`), or -1 when it is not closed. */
export function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++; // backslash: skip the escaped character
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** Index just after the value that starts at `at`; nesting is counted, never recursed into. */
function valueEnd(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === 0x22) return stringEnd(text, at);
  if (first !== 0x7b && first !== 0x5b) {
    let i = at;
    while (i < text.length && !isSpace(text.charCodeAt(i)) && !",]}".includes(text[i]!)) i++;
    return i;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i) - 1;
      if (i < 0) return -1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Where the member `key` of the object at `at` starts (its last occurrence), or -1. */
function memberAt(text: string, at: number, key: string): number {
  let found = -1;
  let i = skipSpace(text, at + 1);
  if (text[i] === "}") return -1;
  for (;;) {
    if (text[i] !== '"') return -1;
    const end = stringEnd(text, i);
    if (end < 0) return -1;
    const raw = text.slice(i + 1, end - 1);
    const name = raw.includes("\\") ? (JSON.parse(text.slice(i, end)) as string) : raw;
    i = skipSpace(text, end);
    if (text[i] !== ":") return -1;
    i = skipSpace(text, i + 1);
    if (name === key) found = i;
    const next = valueEnd(text, i);
    if (next < 0) return -1;
    i = skipSpace(text, next);
    if (text[i] === ",") i = skipSpace(text, i + 1);
    else return found;
  }
}

/** Where element `index` of the array at `at` starts, or -1. */
function elementAt(text: string, at: number, index: number): number {
  let i = skipSpace(text, at + 1);
  if (text[i] === "]") return -1;
  for (let n = 0; ; n++) {
    if (n === index) return i;
    const next = valueEnd(text, i);
    if (next < 0) return -1;
    i = skipSpace(text, next);
    if (text[i] !== ",") return -1;
    i = skipSpace(text, i + 1);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * The exact text of the number at `path` (dot path, as `getPath`) in `text`, which must be JSON that
 * `JSON.parse` accepted; `undefined` when the path does not lead to a number.
 * @example exactNumberText('{"id": 9007199254740993}', "id") // "9007199254740993"
 */
export function exactNumberText(text: string, path: string): string | undefined {
  let at = skipSpace(text, 0);
  for (const part of path.split(".")) {
    const c = text[at];
    if (c === "{") at = memberAt(text, at, part);
    else if (c === "[" && INDEX.test(part)) at = elementAt(text, at, Number(part));
    else return undefined;
    if (at < 0) return undefined;
  }
  NUMBER.lastIndex = at;
  return NUMBER.exec(text)?.[0];
}
