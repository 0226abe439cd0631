import type { TimeFormatter } from "../../platform/format.js";
import type { Translate } from "../../platform/i18n.js";
import type { VerifyMethod } from "./policy.js";

// Keys: the page translates them (tm).
const methodLabels: Record<VerifyMethod, string> = { password: "cancellation:methods.password", email: "cancellation:methods.email", sms: "cancellation:methods.sms" };

export function presentMethods(methods: VerifyMethod[]) {
  return methods.map((method) => ({ value: method, label: methodLabels[method] }));
}

export function presentOwned(owned: Array<{ name: string; slug: string; members: number }>) {
  return owned.map((workspace) => ({ name: workspace.name, slug: workspace.slug, transferUrl: `/w/${workspace.slug}/settings/ownership`, alone: workspace.members <= 1 }));
}

// In the reader's language and zone; the business days are counted in the instance's zone.
export function presentCloseBy(at: Date, businessTimeZone: string, locale: { t: Translate; fmt: TimeFormatter }) {
  return locale.t("cancellation:closeByValue", { when: locale.fmt.dateTime(at), zone: businessTimeZone });
}
