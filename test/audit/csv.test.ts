import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "../../src/modules/audit/csv.js";
import { auditPolicy } from "../../src/modules/audit/policy.js";

describe("CSV cells", () => {
  it("keep formulas as text: a leading = + - @ tab or CR gets a quote", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell("a=1")).toBe("a=1");
  });

  it("turn CR/LF into spaces and quote commas and quotes", () => {
    expect(csvCell("a\r\nb")).toBe("a b");
    expect(csvCell("\r\n=1")).toBe("' =1");
    expect(csvCell(" -1")).toBe("' -1");
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell(null)).toBe("");
    expect(csvLine(["a", 1, undefined])).toBe("a,1,\r\n");
  });
});

describe("audit policy", () => {
  it("lets only owners and admins see a workspace's activity", () => {
    expect(auditPolicy.canViewWorkspaceActivity("owner")).toBe(true);
    expect(auditPolicy.canViewWorkspaceActivity("admin")).toBe(true);
    expect(auditPolicy.canViewWorkspaceActivity("member")).toBe(false);
  });
});
