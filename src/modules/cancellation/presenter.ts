import { formatUtc } from "../../platform/format.js";
import type { VerifyMethod } from "./policy.js";

const methodLabels: Record<VerifyMethod, string> = { password: "Your password", email: "A code sent to your email", sms: "A code sent to your phone" };

export function presentMethods(methods: VerifyMethod[]) {
  return methods.map((method) => ({ value: method, label: methodLabels[method] }));
}

export function presentOwned(owned: Array<{ name: string; slug: string; members: number }>) {
  return owned.map((workspace) => ({ name: workspace.name, slug: workspace.slug, transferUrl: `/w/${workspace.slug}/settings/ownership`, alone: workspace.members <= 1 }));
}

export function presentCloseBy(at: Date, timeZone: string) {
  return `${formatUtc(at)} (end of the 7th business day, ${timeZone})`;
}
