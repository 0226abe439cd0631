// Passkey ceremonies (WebAuthn through @simplewebauthn/browser). Progressive:
// without JavaScript or WebAuthn the forms say so, and nothing else breaks.
(() => {
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn || !webauthn.browserSupportsWebAuthn()) return;

  // The words shown here, in the page's language (views/layouts/page.ejs).
  let words = {};
  try {
    words = JSON.parse(document.getElementById("ui-strings")?.textContent || "{}");
  } catch {}

  const csrfToken = () => {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrf-token"] || "";
    } catch {
      return "";
    }
  };

  async function fetchOptions(url) {
    const response = await fetch(url, { method: "POST", credentials: "same-origin", headers: { "x-csrf-token": csrfToken(), accept: "application/json" } });
    if (!response.ok) throw new Error((words.serverAnswered || "{status}").replace("{status}", String(response.status)));
    return response.json();
  }

  const describe = (error) =>
    error && error.name === "NotAllowedError" ? words.passkeyCancelled : words.passkeyFailed;

  // Registration: the page carries the options; run the ceremony at once.
  const register = document.querySelector("[data-passkey-register]");
  if (register) {
    const form = register.querySelector("[data-passkey-register-form]");
    const status = register.querySelector("[data-passkey-status]");
    const retry = register.querySelector("[data-passkey-retry]");
    const run = async () => {
      retry.hidden = true;
      try {
        const credential = await webauthn.startRegistration({ optionsJSON: JSON.parse(register.getAttribute("data-options")) });
        form.querySelector('input[name="credential"]').value = JSON.stringify(credential);
        form.submit();
      } catch (error) {
        status.textContent = error && error.name === "InvalidStateError" ? words.passkeyDuplicate : describe(error);
        status.setAttribute("role", "alert");
        retry.hidden = false;
      }
    };
    retry.addEventListener("click", run);
    run();
  }

  // Sign-in page: a button, and passkey autofill in the username field.
  const signIn = document.querySelector("[data-passkey-sign-in]");
  if (signIn) {
    signIn.hidden = false;
    const finish = (credential) => {
      signIn.querySelector('input[name="credential"]').value = JSON.stringify(credential);
      signIn.submit();
    };
    const start = async (autofill) => {
      const optionsJSON = await fetchOptions(signIn.getAttribute("data-options-url"));
      finish(await webauthn.startAuthentication({ optionsJSON, useBrowserAutofill: autofill }));
    };
    signIn.querySelector("[data-passkey-start]").addEventListener("click", () => start(false).catch(() => {}));
    webauthn.browserSupportsWebAuthnAutofill().then((supported) => supported && start(true).catch(() => {}));
  }

  // Second step and step-up: a "Use a passkey" button fills the form's field.
  for (const field of document.querySelectorAll("[data-webauthn-field]")) enhanceField(field);
  document.addEventListener("htmx:load", (event) => {
    for (const field of event.target.querySelectorAll ? event.target.querySelectorAll("[data-webauthn-field]") : []) enhanceField(field);
  });

  function enhanceField(field) {
    if (field.dataset.enhanced) return;
    field.dataset.enhanced = "1";
    const button = field.querySelector("[data-options-url]");
    const unsupported = field.querySelector("[data-webauthn-unsupported]");
    if (unsupported) unsupported.hidden = true;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        const optionsJSON = await fetchOptions(button.getAttribute("data-options-url"));
        const credential = await webauthn.startAuthentication({ optionsJSON });
        field.querySelector('input[type="hidden"]').value = JSON.stringify(credential);
        field.closest("form").requestSubmit();
      } catch (error) {
        let message = field.querySelector("[data-webauthn-message]");
        if (!message) {
          message = document.createElement("p");
          message.className = "field__error";
          message.setAttribute("role", "alert");
          message.setAttribute("data-webauthn-message", "");
          field.append(message);
        }
        message.textContent = describe(error);
      }
    });
  }
})();
