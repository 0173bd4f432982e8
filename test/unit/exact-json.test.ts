/** Exact number text at a JSON path: what ids are read from, so two different numbers never collapse. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactNumberText } from "../../src/shared/exact-json";
import { asString, getExactPath, JsonNumber, toMillis } from "../../src/shared/json";

const exact = (text: string, path: string) => asString(getExactPath(JSON.parse(text), path, () => text));

describe("exactNumberText", () => {
  it("keeps every digit of numbers JSON.parse rounds, and their spelling", () => {
    expect(exactNumberText('{"id":9007199254740993}', "id")).toBe("9007199254740993");
    expect(exactNumberText('{"id":9007199254740992}', "id")).toBe("9007199254740992");
    expect(exactNumberText('{"id":1e21}', "id")).toBe("1e21");
    expect(exactNumberText('{"id":-0}', "id")).toBe("-0");
    expect(exactNumberText('{"id":1.50}', "id")).toBe("1.50");
    expect(exactNumberText('{"id":123456789012345678901234567890}', "id")).toBe("123456789012345678901234567890");
  });

  it("follows nesting, array indexes and whitespace", () => {
    const text = ' \n{ "data" :\t{ "items" : [ {"id": 1} , { "id" :\r\n 18446744073709551616 } ] } } ';
    expect(exactNumberText(text, "data.items.1.id")).toBe("18446744073709551616");
    expect(exactNumberText(text, "data.items.0.id")).toBe("1");
    expect(exactNumberText(text, "data.items.2.id")).toBeUndefined();
    expect(exactNumberText(text, "data.items.01.id")).toBeUndefined(); // getPath would not find "01" either
    expect(exactNumberText(text, "data.missing")).toBeUndefined();
    expect(exactNumberText(text, "data")).toBeUndefined(); // an object is not a number
  });

  it("resolves duplicate keys as JSON.parse does: the last one wins", () => {
    expect(exactNumberText('{"id":1,"id":9007199254740993}', "id")).toBe("9007199254740993");
    expect(exactNumberText('{"a":{"id":5},"a":{"x":1}}', "a.id")).toBeUndefined();
    expect(exactNumberText('{"a":{"id":5},"b":0,"a":{"id":7}}', "a.id")).toBe("7");
    expect(exact('{"id":"x","id":12345678901234567891}', "id")).toBe("12345678901234567891");
  });

  it("decodes escaped keys and is not fooled by brackets, quotes or backslashes inside strings", () => {
    expect(exactNumberText('{"\\u0069\\u0064":42}', "id")).toBe("42");
    expect(exactNumberText('{"s":"}]\\"{[,\\\\","id":77}', "id")).toBe("77");
    expect(exactNumberText('{"i\\"d":1,"id":2}', "id")).toBe("2");
    expect(exactNumberText('{"__proto__":9007199254740993}', "__proto__")).toBe("9007199254740993");
  });

  it("skips any nesting depth without recursion", () => {
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    expect(exactNumberText(`{"pad":${deep},"id":9007199254740995}`, "id")).toBe("9007199254740995");
  });

  it("agrees with JSON.parse on every number path of any document (fast-check)", () => {
    const key = fc.string({ maxLength: 6 }).filter((k) => !k.includes(".") && k !== "__proto__");
    const doc = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string(), fc.boolean(), fc.constant(null), tie("array"), tie("object")),
      array: fc.array(tie("value"), { maxLength: 4 }),
      object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
    })).object;
    fc.assert(
      fc.property(doc, fc.constantFrom(undefined, 2, "\t"), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const parsed = JSON.parse(text) as unknown;
        const paths: [string, number][] = [];
        const walk = (v: unknown, path: string[]) => {
          if (typeof v === "number") paths.push([path.join("."), v]);
          else if (v && typeof v === "object") for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
        };
        walk(parsed, []);
        for (const [path, number] of paths) {
          if (path === "") continue;
          expect(exactNumberText(text, path)).toBe(JSON.stringify(number));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("ids read from JSON numbers", () => {
  it("two ids that JSON.parse makes equal stay different", () => {
    expect(exact('{"id":9007199254740993}', "id")).not.toBe(exact('{"id":9007199254740992}', "id"));
  });

  it("the number 1 and the string \"1\" are the same id; 1.0 is a different one", () => {
    expect(exact('{"id":1}', "id")).toBe("1");
    expect(exact('{"id":"1"}', "id")).toBe("1");
    expect(exact('{"id":1.0}', "id")).toBe("1.0");
  });

  it("times still read the value", () => {
    expect(toMillis(new JsonNumber("1700000000", 1_700_000_000))).toBe(1_700_000_000_000);
    expect(`${new JsonNumber("1e21", 1e21)}`).toBe("1e21");
  });
});
