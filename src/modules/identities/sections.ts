import { defineSection } from "../../web/sections.js";
import { presentConnections } from "./presenter.js";
import { listIdentitiesOfUser, listProviders } from "./repo.js";

// Settings → Connections: bind and unbind accounts at sign-in providers.
export const connectionsSection = defineSection({
  id: "connections",
  page: "connections",
  order: 10,
  view: "identities/_section",
  load: async ({ deps, user }) => {
    const [providers, bound] = await Promise.all([listProviders(deps.db), listIdentitiesOfUser(deps.db, user.id)]);
    return { connections: presentConnections(providers, bound) };
  },
});
