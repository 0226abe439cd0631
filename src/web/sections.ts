import { Router, type Request, type Response } from "express";
import type { Deps } from "../platform/deps.js";
import type { AccountUser, CurrentUser } from "./context.js";
import { currentUserOf, requireUser } from "./guards.js";
import { echoableValues, renderPage, type FormContext } from "./render.js";

// Sectioned pages: the profile and security pages are lists of sections that
// feature modules register (their sections.ts, collected in app.ts). A page
// knows no feature; a section knows no other section. A form that fails
// re-renders its own section (htmx) or the whole page with the errors shown
// in that section only (no JavaScript).

export interface SectionContext {
  deps: Deps;
  req: Request;
  user: AccountUser;
  current: CurrentUser;
}

export interface Section<Model extends object = object> {
  id: string;
  page: PageId;
  // Lower comes first.
  order: number;
  // The template, given the model's fields as locals (plus errors/values/formError).
  view: string;
  load(ctx: SectionContext): Promise<Model> | Model;
}

export const settingsPages = {
  profile: { path: "/settings/profile", title: "profile:title" },
  security: { path: "/settings/security", title: "security:title" },
  connections: { path: "/settings/connections", title: "identities:title" },
} as const;
export type PageId = keyof typeof settingsPages;

const PAGE_VIEW = "settings/page";

export interface RenderedSection {
  id: string;
  view: string;
  model: object;
}

export interface PageRegistry {
  sectionsOf(page: PageId): readonly Section[];
  load(page: PageId, ctx: SectionContext): Promise<RenderedSection[]>;
  loadSection(page: PageId, id: string, ctx: SectionContext): Promise<object>;
}

// A helper so a module's section keeps its model type while the registry holds many.
export function defineSection<Model extends object>(section: Section<Model>): Section {
  return section as Section;
}

type PageDeps = Deps & { pages: PageRegistry };

export function createPageRegistry(sections: Section[]): PageRegistry {
  const seen = new Set<string>();
  for (const section of sections) {
    const key = `${section.page}/${section.id}`;
    if (seen.has(key)) throw new Error(`Two sections are registered as "${key}".`);
    seen.add(key);
  }
  const sectionsOf = (page: PageId) => sections.filter((section) => section.page === page).sort((a, b) => a.order - b.order);
  return {
    sectionsOf,
    async load(page, ctx) {
      return Promise.all(sectionsOf(page).map(async (section) => ({ id: section.id, view: section.view, model: await section.load(ctx) })));
    },
    async loadSection(page, id, ctx) {
      const section = sectionsOf(page).find((candidate) => candidate.id === id);
      if (!section) throw new Error(`No section "${id}" on the ${page} page.`);
      return section.load(ctx);
    },
  };
}

export function sectionContext(deps: PageDeps, req: Request): SectionContext {
  const current = currentUserOf(req);
  return { deps, req, user: current.user, current };
}

async function pageData(deps: PageDeps, req: Request, page: PageId, failedSection: string | null) {
  const sections = await deps.pages.load(page, sectionContext(deps, req));
  return { title: settingsPages[page].title, sections, failedSection };
}

export function renderSectionedPage(deps: PageDeps, req: Request, res: Response, page: PageId): Promise<void> {
  return pageData(deps, req, page, null).then((data) => renderPage(res, PAGE_VIEW, { ...data, values: {}, errors: {}, formError: null }));
}

// Declares which section a POST re-renders when it fails: the fragment with
// that section's model (htmx), or the whole page (no JavaScript). `extra`
// adds what the fragment needs beyond the model (e.g. which card failed).
export function rememberSectionForm(
  deps: PageDeps,
  req: Request,
  res: Response,
  form: { page: PageId; section: string; fragment: string; extra?: () => object },
): void {
  const extra = () => form.extra?.() ?? {};
  res.locals.form = {
    page: PAGE_VIEW,
    fragment: form.fragment,
    values: echoableValues(req.body),
    data: async () => ({ ...(await pageData(deps, req, form.page, form.section)), ...extra() }),
    fragmentData: async () => ({ ...(await deps.pages.loadSection(form.page, form.section, sectionContext(deps, req))), ...extra() }),
  } satisfies FormContext;
}

// GET /settings/profile and /settings/security: the pages themselves.
export function settingsPageRoutes(deps: PageDeps): Router {
  const router = Router();
  for (const [id, page] of Object.entries(settingsPages) as Array<[PageId, (typeof settingsPages)[PageId]]>) {
    router.get(page.path, requireUser, (req, res) => renderSectionedPage(deps, req, res, id));
  }
  router.get("/settings", requireUser, (_req, res) => res.redirect(303, settingsPages.profile.path));
  return router;
}
