import { describe, expect, it } from "vitest";
import { remembered } from "../../src/platform/remember.js";

describe("remembered answers", () => {
  it("computes each key once, remembers falsy answers too, and starts over when full", () => {
    const asked: number[] = [];
    const half = remembered(3, (n: number) => (asked.push(n), n === 0 ? undefined : n / 2));
    expect([half(4), half(4), half(0), half(0), half(2)]).toEqual([2, 2, undefined, undefined, 1]);
    expect(asked).toEqual([4, 0, 2]);
    half(6); // full: it starts over with 6 alone
    half(4);
    expect(asked).toEqual([4, 0, 2, 6, 4]);
    half(6);
    expect(asked).toEqual([4, 0, 2, 6, 4]);
  });
});
