import { sessionSlot } from "../../web/session/slots.js";
import type { ContactChannelId } from "./channels.js";
import type { ContactFlow } from "./service.js";

// Where each channel's bind/change flow stands, per browser session.
export const contactFlows = sessionSlot<Partial<Record<ContactChannelId, ContactFlow>>>("contactFlows");
