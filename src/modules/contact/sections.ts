import { defineSection } from "../../web/sections.js";
import { contactChannels } from "./channels.js";
import { presentChannel } from "./presenter.js";
import { contactFlows } from "./slots.js";

// The email and phone cards on the profile page.
export const contactSection = defineSection({
  id: "contact",
  page: "profile",
  order: 40,
  view: "contact/_section",
  load: ({ deps, req, user }) => {
    const flows = contactFlows.get(req) ?? {};
    const now = deps.clock.now().getTime();
    return { contactChannels: Object.values(contactChannels).map((channel) => presentChannel(channel, user, flows[channel.id], now)) };
  },
});
