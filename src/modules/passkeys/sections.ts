import { defineSection } from "../../web/sections.js";
import { relyingParty } from "./ceremony.js";
import { presentPasskeySection } from "./presenter.js";
import { listPasskeys } from "./repo.js";

export const passkeysSection = defineSection({
  id: "passkeys",
  page: "security",
  order: 15,
  view: "passkeys/_section",
  load: async ({ deps, user }) => ({ passkeys: presentPasskeySection(relyingParty(deps.config), await listPasskeys(deps.db, user.id)) }),
});
