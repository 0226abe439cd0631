import { defineSection } from "../../web/sections.js";
import { presentPasswordSection } from "./service.js";

export const passwordSection = defineSection({
  id: "password",
  page: "security",
  order: 20,
  view: "password/_change-section",
  load: ({ user }) => ({ passwordSection: presentPasswordSection(user) }),
});
