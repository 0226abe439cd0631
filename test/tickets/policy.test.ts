import { describe, expect, it } from "vitest";
import { ticketPolicy } from "../../src/modules/tickets/policy.js";

describe("ticket policy", () => {
  const ticket = { authorId: "m1", status: "open" };
  it("members see their own tickets only; owner and admins see all", () => {
    expect(ticketPolicy.canView({ id: "m1", role: "member" }, ticket)).toBe(true);
    expect(ticketPolicy.canView({ id: "m2", role: "member" }, ticket)).toBe(false);
    expect(ticketPolicy.canView({ id: "a", role: "admin" }, ticket)).toBe(true);
    expect(ticketPolicy.canView({ id: "o", role: "owner" }, { authorId: null })).toBe(true);
    expect(ticketPolicy.seesAll({ id: "m1", role: "member" })).toBe(false);
  });
  it("only owner and admins reply and close, and only open tickets", () => {
    expect(ticketPolicy.canReply({ id: "m1", role: "member" }, ticket)).toBe(false);
    expect(ticketPolicy.canClose({ id: "a", role: "admin" }, ticket)).toBe(true);
    expect(ticketPolicy.canClose({ id: "a", role: "admin" }, { status: "closed" })).toBe(false);
    expect(ticketPolicy.canReply({ id: "o", role: "owner" }, { status: "closed" })).toBe(false);
  });
});
