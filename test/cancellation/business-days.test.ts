import { describe, expect, it } from "vitest";
import { endOfNthBusinessDayAfter, ticketsCloseBy } from "../../src/modules/cancellation/business-days.js";

const utc = { timeZone: "UTC", holidays: [] };

describe("business days", () => {
  it("skips weekends: cancelled on a Tuesday, 7 business days end on the next week's Thursday", () => {
    // 2026-11-24 is a Tuesday.
    expect(ticketsCloseBy(new Date("2026-11-24T10:00:00Z"), utc).toISOString()).toBe("2026-12-03T23:59:59.999Z");
  });

  it("cancelling on a weekend counts from Monday", () => {
    // Saturday 2026-11-28 → Mon 30 is day 1, ... Tue 8 Dec is day 7.
    expect(ticketsCloseBy(new Date("2026-11-28T12:00:00Z"), utc).toISOString()).toBe("2026-12-08T23:59:59.999Z");
    expect(endOfNthBusinessDayAfter(new Date("2026-11-27T12:00:00Z"), 1, utc).toISOString()).toBe("2026-11-30T23:59:59.999Z");
  });

  it("skips holidays from the list", () => {
    const calendar = { timeZone: "UTC", holidays: ["2026-11-26", "2026-11-27"] };
    expect(ticketsCloseBy(new Date("2026-11-24T10:00:00Z"), calendar).toISOString()).toBe("2026-12-07T23:59:59.999Z");
  });

  it("counts in the time zone: late Monday UTC is already Tuesday in Tokyo, and the day ends at Tokyo midnight", () => {
    const tokyo = { timeZone: "Asia/Tokyo", holidays: [] };
    // 2026-11-23T20:00Z is Tue 24 05:00 in Tokyo → ends Thu 3 Dec 24:00 JST = 15:00Z.
    expect(ticketsCloseBy(new Date("2026-11-23T20:00:00Z"), tokyo).toISOString()).toBe("2026-12-03T14:59:59.999Z");
    expect(ticketsCloseBy(new Date("2026-11-23T20:00:00Z"), utc).toISOString()).toBe("2026-12-02T23:59:59.999Z");
  });

  it("handles a daylight-saving change inside the window (Berlin, end of March)", () => {
    const berlin = { timeZone: "Europe/Berlin", holidays: [] };
    // Fri 2026-03-27; DST starts Sun 29 Mar. Day 7 is Tue 7 Apr, ending at 24:00 CEST = 22:00Z.
    expect(ticketsCloseBy(new Date("2026-03-27T09:00:00Z"), berlin).toISOString()).toBe("2026-04-07T21:59:59.999Z");
  });
});
