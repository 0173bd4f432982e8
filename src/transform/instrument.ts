/**
 * Loop guards for transform code. A Dynamic Worker's CPU limit is enforced by Cloudflare, but not by
 * a local workerd (wrangler dev, tests), where a `while (true) {}` would block the whole process; and
 * Date.now() does not advance while code runs, so a guard cannot read a clock. Each loop's condition
 * therefore first calls a counter (`__eh_tick()`), which throws once a call has run LOOP_BUDGET
 * iterations in total: a runaway loop ends as an error in every runtime, deterministically.
 *
 * A small scanner, not a parser: it skips strings, template literals, comments and regular
 * expressions, and rewrites the heads of `while (…)`, `do … while (…)` and `for (…; …; …)` loops,
 * and wraps the iterable of `for (… of …)`. Code it misreads fails to load (a visible error), it
 * never runs unguarded on purpose.
 */

/** Name of the guard function the rewritten code calls. */
export const TICK = "__eh_tick";
/** Name of the iterable wrapper for `for … of` loops. */
export const ITER = "__eh_iter";

/** Characters after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER = new Set([..."(,=:[!&|?{};+-*%<>~^"]);
const REGEX_KEYWORDS = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

interface Edit {
  at: number;
  text: string;
}

/** Index just past the string literal starting at `i` (quote `q`). */
function skipString(src: string, i: number, q: string): number {
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === "\\") j++;
    else if (src[j] === q) return j + 1;
  }
  return src.length;
}

/** Index just past the regular expression literal starting at `i`. */
function skipRegex(src: string, i: number): number {
  let inClass = false;
  for (let j = i + 1; j < src.length; j++) {
    const c = src[j];
    if (c === "\\") j++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      j++;
      while (j < src.length && /[a-z]/i.test(src[j]!)) j++;
      return j;
    }
    else if (c === "\n") return j;
  }
  return src.length;
}

/** Scan `src`, calling `onToken` for each significant token (identifiers, punctuation) with its position. */
function scan(src: string, onToken: (token: string, at: number) => void): void {
  // Stack of contexts: "{" for braces, "`" for a template literal's `${ … }` expression.
  const stack: string[] = [];
  let last = ""; // last significant token, for regex/division
  let i = 0;
  const template = (from: number): number => {
    // Inside a template literal body, from just after the backtick or the closing `}` of `${}`.
    for (let j = from; j < src.length; j++) {
      if (src[j] === "\\") j++;
      else if (src[j] === "`") return j + 1;
      else if (src[j] === "$" && src[j + 1] === "{") {
        stack.push("`");
        return j + 2;
      }
    }
    return src.length;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i);
      i = end < 0 ? src.length : end;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === "'" || c === '"') {
      i = skipString(src, i, c);
      last = "str";
    } else if (c === "`") {
      i = template(i + 1);
      last = "str";
    } else if (c === "/" && (last === "" || REGEX_AFTER.has(last) || REGEX_KEYWORDS.has(last))) {
      i = skipRegex(src, i);
      last = "str";
    } else if (/[A-Za-z_$\d]/.test(c) || c.charCodeAt(0) > 127) {
      let j = i + 1;
      while (j < src.length && (/[A-Za-z_$\d]/.test(src[j]!) || src.charCodeAt(j) > 127)) j++;
      const word = src.slice(i, j);
      onToken(word, i);
      last = /^\d/.test(word) ? "num" : word;
      i = j;
    } else if (c === "}" && stack.at(-1) === "`") {
      stack.pop();
      i = template(i + 1);
      last = "str";
    } else {
      if (c === "{") stack.push("{");
      else if (c === "}") stack.pop();
      onToken(c, i);
      last = c;
      i++;
    }
  }
}

/** Tokens with positions (strings, comments and regexes skipped). */
function tokens(src: string): { t: string; at: number }[] {
  const out: { t: string; at: number }[] = [];
  scan(src, (t, at) => out.push({ t, at }));
  return out;
}

/** Index (in `list`) of the `)` matching the `(` at `open`; -1 when unbalanced. */
function closing(list: { t: string }[], open: number): number {
  let depth = 0;
  for (let k = open; k < list.length; k++) {
    const t = list[k]!.t;
    if (t === "(" || t === "[" || t === "{") depth++;
    else if (t === ")" || t === "]" || t === "}") {
      depth--;
      if (depth === 0) return t === ")" ? k : -1;
    }
  }
  return -1;
}

/** Top-level tokens (depth 1) between list[open] and list[close], by index. */
function topLevel(list: { t: string }[], open: number, close: number): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let k = open + 1; k < close; k++) {
    const t = list[k]!.t;
    if (t === "(" || t === "[" || t === "{") depth++;
    else if (t === ")" || t === "]" || t === "}") depth--;
    else if (depth === 0) out.push(k);
  }
  return out;
}

/**
 * Rewrite loop heads so every iteration calls the guard.
 * @example guardLoops("while (true) {}") // "while (__eh_tick() && (true)) {}"
 */
export function guardLoops(src: string): string {
  const list = tokens(src);
  const edits: Edit[] = [];
  for (let k = 0; k < list.length; k++) {
    const { t } = list[k]!;
    if (t !== "while" && t !== "for") continue;
    if (list[k - 1]?.t === ".") continue; // a property named while/for
    const open = k + 1;
    if (t === "for" && list[open]?.t === "await") continue; // async iteration: awaits yield, the call's timeout ends it
    if (list[open]?.t !== "(") continue;
    const close = closing(list, open);
    if (close < 0) continue;
    const start = list[open]!.at + 1;
    const end = list[close]!.at;
    if (t === "while") {
      edits.push({ at: start, text: `${TICK}() && (` }, { at: end, text: ")" });
      continue;
    }
    const top = topLevel(list, open, close);
    const semis = top.filter((x) => list[x]!.t === ";");
    if (semis.length === 2) {
      const [a, b] = [list[semis[0]!]!.at + 1, list[semis[1]!]!.at];
      const empty = b - a === 0 || src.slice(a, b).trim() === "";
      edits.push({ at: a, text: empty ? `${TICK}()` : `${TICK}() && (` });
      if (!empty) edits.push({ at: b, text: ")" });
      continue;
    }
    const of = top.find((x) => list[x]!.t === "of");
    if (of !== undefined) {
      const from = list[of]!.at + 2;
      edits.push({ at: from, text: ` ${ITER}(` }, { at: end, text: ")" });
    }
  }
  edits.sort((x, y) => y.at - x.at);
  let out = src;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}
