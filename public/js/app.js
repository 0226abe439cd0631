// Progressive enhancement only: every form works without this file.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) target.form?.requestSubmit();
});

// Backup codes page: copy and print buttons (hidden without JavaScript).
for (const button of document.querySelectorAll("[data-copy-target], [data-print]")) button.hidden = false;
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-copy-target], [data-print]") : null;
  if (!target) return;
  if (target.hasAttribute("data-print")) return window.print();
  const source = document.querySelector(target.getAttribute("data-copy-target"));
  if (source) navigator.clipboard?.writeText(source.innerText).then(() => (target.textContent = uiStrings().copied || target.textContent));
});

// Confirm before destroying (src/web/confirm.ts): a form marked with
// views/partials/confirm.ejs asks through the one <dialog> instead of the
// browser's confirm(). showModal() keeps focus inside the dialog, Escape
// cancels, and focus returns to the button that asked. Only "confirm" lets
// htmx send the request (with the confirmed flag from hx-vals).
document.addEventListener("htmx:confirm", (event) => {
  const question = event.detail.question;
  const dialog = document.getElementById("confirm-dialog");
  if (!question || !(dialog instanceof HTMLDialogElement)) return;
  event.preventDefault();
  const holder = event.detail.elt.closest("[hx-confirm]") ?? event.detail.elt;
  const trigger = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : event.detail.elt;
  dialog.querySelector("#confirm-dialog-title").textContent = holder.getAttribute("data-confirm-title") || question;
  dialog.querySelector("#confirm-dialog-message").textContent = question;
  const accept = dialog.querySelector("[data-confirm-accept]");
  accept.textContent = holder.getAttribute("data-confirm-label") || accept.textContent;
  dialog.returnValue = "";
  dialog.addEventListener(
    "close",
    () => {
      if (dialog.returnValue === "confirm") return void event.detail.issueRequest(true);
      if (trigger && trigger.isConnected) trigger.focus();
    },
    { once: true },
  );
  dialog.showModal();
  // The safe choice has the focus: Enter or Space alone never destroys.
  dialog.querySelector("[data-confirm-cancel]").focus();
});

// showModal() makes the page inert, but Tab could still leave for the
// browser's own controls: keep it cycling between the dialog's buttons.
document.getElementById("confirm-dialog")?.addEventListener("keydown", (event) => {
  if (event.key !== "Tab") return;
  const buttons = [...event.currentTarget.querySelectorAll("button")];
  const at = buttons.indexOf(document.activeElement);
  event.preventDefault();
  buttons[(at + (event.shiftKey ? buttons.length - 1 : 1)) % buttons.length]?.focus();
});

// Focus after an htmx swap (the swapped element is the event's target):
// with errors, the first invalid field, else the form's error message; on
// success, a flash in the new content, else its heading, so focus never
// falls back to <body> when the element that had it was replaced.
function focusTarget(element, selector) {
  const found = element.matches?.(selector) ? element : element.querySelector?.(selector);
  if (!found) return false;
  if (!found.matches("input, select, textarea, button, a[href], [tabindex]")) found.setAttribute("tabindex", "-1");
  found.focus();
  return true;
}
document.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.target;
  if (!(swapped instanceof Element) || !swapped.isConnected) return;
  const failed = (event.detail.xhr?.status ?? 200) >= 400;
  if (failed) {
    focusTarget(swapped, '[aria-invalid="true"]') || focusTarget(swapped, '[role="alert"]');
    return;
  }
  const focusLost = !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
  if (focusLost) focusTarget(swapped, "[data-flash], [role=status], [role=alert]") || focusTarget(swapped, "h1, h2, h3") || focusTarget(swapped, "input:not([type=hidden]), button, a[href]");
});

// The password strength meter loads only where a new password is chosen.
if (document.querySelector('input[autocomplete="new-password"]')) {
  const meterScript = document.createElement("script");
  meterScript.src = "/static/js/password-strength.js";
  meterScript.nonce = document.currentScript?.nonce ?? "";
  document.head.append(meterScript);
}

// The browser's time zone goes with the sign-in and registration forms: an
// account without a zone takes it as its default (profile: language and time zone).
for (const field of document.querySelectorAll("input[data-browser-time-zone]")) {
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    field.value = "";
  }
}

// After an action the page that follows opens on its message: focus on the
// flash makes screen readers read it (a live region present at load is not).
const pageFlash = document.querySelector("[data-flash]");
if (pageFlash && (!document.activeElement || document.activeElement === document.body)) pageFlash.focus({ preventScroll: true });

// The words this script shows, in the page's language (views/layouts/page.ejs).
function uiStrings() {
  try {
    return JSON.parse(document.getElementById("ui-strings")?.textContent || "{}");
  } catch {
    return {};
  }
}
