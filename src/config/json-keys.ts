/**
 * Key checks JSON.parse and zod cannot make: a key written twice in the `EDGEHOOK` JSON string (JSON.parse
 * keeps the last one silently) and `__proto__` keys (zod records drop them silently).
 */
import { stringEnd } from "../shared/exact-json";

type Frame = { kind: "object"; path: string; keys: Set<string>; key: string | null } | { kind: "array"; path: string; index: number };

/**
 * The paths of keys that appear twice in one object of a JSON text (already known to be valid JSON).
 * Keys are compared after unescaping, so `"a"` and `"\u0061"` are the same key.
 * @example duplicateKeys('{"a":1,"a":2}') // ["a"]
 */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack.at(-1);
    if (!top) return "";
    const step = top.kind === "object" ? top.key ?? "" : String(top.index);
    return top.path === "" ? step : `${top.path}.${step}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") stack.push({ kind: "object", path: childPath(), keys: new Set(), key: null });
    else if (c === "[") stack.push({ kind: "array", path: childPath(), index: 0 });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ",") {
      const top = stack.at(-1);
      if (top?.kind === "array") top.index++;
      else if (top) top.key = null;
    } else if (c === '"') {
      const end = stringEnd(text, i) - 1; // the closing quote (the text is valid JSON)
      const top = stack.at(-1);
      if (top?.kind === "object" && top.key === null) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) found.push(top.path === "" ? key : `${top.path}.${key}`);
        top.keys.add(key);
        top.key = key;
      }
      i = end;
    }
  }
  return found;
}

/**
 * The paths of own `__proto__` keys anywhere in a parsed value.
 * @example protoKeys(JSON.parse('{"sources":{"__proto__":{}}}')) // ["sources.__proto__"]
 */
export function protoKeys(value: unknown, path = ""): string[] {
  if (typeof value !== "object" || value === null) return [];
  const out: string[] = [];
  for (const key of Object.keys(value)) {
    const here = path === "" ? key : `${path}.${key}`;
    if (key === "__proto__") out.push(here);
    out.push(...protoKeys((value as Record<string, unknown>)[key], here));
  }
  return out;
}
