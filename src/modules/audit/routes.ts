import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { AppError } from "../../platform/errors.js";
import type { WebDeps } from "../../web/deps.js";
import { currentUserOf, requireInstanceAdmin, requireUser } from "../../web/guards.js";
import { echoableValues, isHtmx, redirectTo, renderFragment, renderPage, setFlash } from "../../web/render.js";
import { translateFor } from "../../web/i18n.js";
import { parseInput } from "../../web/validate.js";
import { scopeOf, scopeUrl } from "../../web/workspace-scope.js";
import { presentChart, signInCountsByDay } from "./chart.js";
import { csvLine } from "./csv.js";
import { declaredEventTypes, eventTypeInfo } from "./events.js";
import { activityFilterSchema, toActivityFilters } from "./filters.js";
import { auditPolicy } from "./policy.js";
import { setOptionalNoticesMuted } from "./preferences.js";
import { activityCsvCells, csvHeader, presentActivityRow } from "./presenter.js";
import { activityForExport, activityPage, type ActivityScope } from "./service.js";

const PAGE_SIZE = 50;

const noticePreferencesBody = z.object({ muteOptional: z.literal("on").optional() });

interface View {
  scope: ActivityScope;
  // The page's own path; the CSV is at the same path + ".csv".
  basePath: string;
  title: string;
  intro: string;
  viewerId?: string;
  showWorkspace: boolean;
  // The workspace and instance pages open with the 30-day sign-in chart.
  showChart: boolean;
}

// Only the filter fields are echoed back into the form, as the strings typed.
function filterValues(req: Request): Record<string, string> {
  const raw = echoableValues(req.query);
  return { type: raw.type ?? "", person: raw.person ?? "", from: raw.from ?? "", to: raw.to ?? "" };
}

function queryString(values: Record<string, string>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(Object.entries({ ...values, ...extra }).filter(([, value]) => value !== ""));
  const text = params.toString();
  return text ? `?${text}` : "";
}

// The page (or, for htmx, the card that holds the filters and the rows).
async function browse(deps: WebDeps, req: Request, res: Response, view: View): Promise<void> {
  const values = filterValues(req);
  const types = declaredEventTypes().map((type) => ({ type, label: eventTypeInfo(type).label }));
  const base = { ...view, title: view.title, values, types, csvUrl: `${view.basePath}.csv${queryString(values)}` };
  // The chart does not depend on the filters: shown even when they are invalid.
  const chart = view.showChart ? presentChart(await signInCountsByDay(deps.db, view.scope, deps.clock.now(), { redis: deps.redis, prefix: deps.config.redisPrefix })) : null;
  const parsed = activityFilterSchema.safeParse(req.query);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "_form")] ??= translateFor(req, issue.message);
    const data = { ...base, errors, rows: [], nextUrl: null, chart };
    return isHtmx(req) ? renderFragment(res, "audit/_activity", data, 422) : renderPage(res, "audit/activity", data, 422);
  }
  const page = await activityPage(deps.db, view.scope, toActivityFilters(parsed.data), PAGE_SIZE);
  const data = {
    ...base,
    chart,
    errors: {},
    rows: page.rows.map((row) => presentActivityRow(row, view.viewerId, deps.geo)),
    nextUrl: page.nextCursor ? `${view.basePath}${queryString(values, { cursor: page.nextCursor })}` : null,
  };
  return isHtmx(req) ? renderFragment(res, "audit/_activity", data) : renderPage(res, "audit/activity", data);
}

// The CSV of everything the filters match (cursor ignored: the whole list).
async function exportCsv(deps: WebDeps, req: Request, res: Response, scope: ActivityScope, filename: string): Promise<void> {
  const parsed = activityFilterSchema.safeParse(req.query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError(422, "INVALID_FILTER", { message: `${issue.message} (${String(issue.path[0] ?? "filter")})` });
  }
  const filters = { ...toActivityFilters(parsed.data), beforeId: undefined };
  res.status(200).type("text/csv; charset=utf-8").attachment(filename);
  res.write(csvLine(csvHeader));
  for await (const rows of activityForExport(deps.db, scope, filters)) {
    res.write(rows.map((row) => csvLine(activityCsvCells(row, deps.geo))).join(""));
  }
  res.end();
}

// /settings/security/activity (everyone, their own events) and
// /admin/activity (instance administrators, everything).
export function auditRoutes(deps: WebDeps): Router {
  const router = Router();
  const own = (req: Request): View => {
    const userId = currentUserOf(req).user.id;
    return {
      scope: { kind: "user", userId },
      basePath: "/settings/security/activity",
      title: "audit:pages.securityTitle",
      intro: "audit:pages.securityIntro",
      viewerId: userId,
      showWorkspace: true,
      showChart: false,
    };
  };
  router.get("/settings/security/activity", requireUser, (req, res) => browse(deps, req, res, own(req)));
  router.get("/settings/security/activity.csv", requireUser, (req, res) => exportCsv(deps, req, res, own(req).scope, "security-activity.csv"));

  router.post("/settings/security/notices", requireUser, async (req, res) => {
    const { muteOptional } = parseInput(noticePreferencesBody, req.body);
    await setOptionalNoticesMuted(deps.db, currentUserOf(req).user.id, muteOptional === "on");
    if (isHtmx(req)) return renderFragment(res, "audit/_notice-preferences", { noticePrefs: { muteOptional: muteOptional === "on", saved: true } });
    setFlash(req, "info", muteOptional === "on" ? "audit:pages.muted" : "audit:pages.unmuted");
    redirectTo(req, res, "/settings/security#notice-preferences");
  });

  const instance: View = {
    scope: { kind: "instance" },
    basePath: "/admin/activity",
    title: "audit:pages.instanceTitle",
    intro: "audit:pages.instanceIntro",
    showWorkspace: true,
    showChart: true,
  };
  router.get("/admin/activity", requireUser, requireInstanceAdmin, (req, res) => browse(deps, req, res, instance));
  router.get("/admin/activity.csv", requireUser, requireInstanceAdmin, (req, res) => exportCsv(deps, req, res, instance.scope, "instance-activity.csv"));
  return router;
}

// /w/:slug/activity, on the workspace router: the owner and admins only.
export function workspaceActivityRoutes(deps: WebDeps, router: Router): void {
  const view = (req: Request): View => {
    const scope = scopeOf(req);
    if (!auditPolicy.canViewWorkspaceActivity(scope.membership.role)) {
      throw new AppError(403, "FORBIDDEN", { message: "audit:pages.forbidden" });
    }
    return {
      scope: { kind: "workspace", workspaceId: scope.workspace.id },
      basePath: scopeUrl(scope, "/activity"),
      title: "audit:pages.workspaceTitle",
      intro: "audit:pages.workspaceIntro",
      showWorkspace: false,
      showChart: true,
    };
  };
  router.get("/activity", (req, res) => browse(deps, req, res, view(req)));
  router.get("/activity.csv", (req, res) => exportCsv(deps, req, res, view(req).scope, `${scopeOf(req).workspace.slug}-activity.csv`));
}
