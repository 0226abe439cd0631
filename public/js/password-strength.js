// Password strength meter: a hint while typing, never the check (the server
// refuses a zxcvbn score below 3 with the same engine and dictionaries,
// src/modules/password/strength.ts). Loaded by app.js only on a page with a
// new-password field; the dictionaries (about 1.7 MB) load on first focus.
(() => {
  const nonce = document.currentScript?.nonce ?? "";
  // The words, and where zxcvbn's feedback in the page's language is, come
  // from the page (views/layouts/page.ejs).
  let words = {};
  try {
    words = JSON.parse(document.getElementById("ui-strings")?.textContent || "{}");
  } catch {}
  const LABELS = words.strengthLabels || [];
  const METER_LABEL = words.strengthMeter || "";
  const SELECTOR = 'input[autocomplete="new-password"]:not([name^="confirm"]):not([data-meter])';

  let engine = null;
  let loading = null;
  function load(name) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = `/static/vendor/zxcvbn/${name}.js`;
      script.nonce = nonce;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }
  function loadEngine() {
    loading ??= load("core")
      .then(() => Promise.all([load("common"), load("en"), words.zxcvbnTranslations ? fetch(words.zxcvbnTranslations).then((response) => (response.ok ? response.json() : null)) : null]))
      .then(([, , translations]) => {
        const { core, "language-common": common, "language-en": en } = window.zxcvbnts;
        engine = new core.ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: translations || en.translations });
      })
      .catch(() => {});
    return loading;
  }

  function attach(field) {
    field.dataset.meter = "on";
    const meter = document.createElement("div");
    meter.className = "strength";
    meter.hidden = true;
    meter.dataset.testid = "strength-meter";
    meter.innerHTML = '<meter min="0" max="4" low="2" high="3" optimum="4" value="0"></meter><span class="strength__text" aria-live="polite"></span>';
    const bar = meter.querySelector("meter");
    const text = meter.querySelector(".strength__text");
    bar.setAttribute("aria-label", METER_LABEL);
    field.closest(".field")?.append(meter);

    const userInputs = () =>
      [...(field.form?.querySelectorAll('input[name="username"], input[name="email"]') ?? [])].map((input) => input.value).filter(Boolean);
    let timer = 0;
    const update = () => {
      if (!engine || !field.value) return void (meter.hidden = true);
      const result = engine.check(field.value, userInputs());
      const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(" ");
      meter.hidden = false;
      bar.value = result.score;
      meter.dataset.score = String(result.score);
      text.textContent = `${LABELS[result.score] ?? result.score}${result.score < 3 && advice ? `: ${advice}` : ""}`;
    };
    field.addEventListener("focus", () => loadEngine().then(update), { once: true });
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => loadEngine().then(update), 150);
    });
    if (field.value || document.activeElement === field) loadEngine().then(update);
  }

  const attachWithin = (root) => {
    if (root.matches?.(SELECTOR)) attach(root);
    for (const field of root.querySelectorAll?.(SELECTOR) ?? []) attach(field);
  };
  attachWithin(document);
  // A form swapped in by htmx (a re-rendered error) gets its meter again.
  document.addEventListener("htmx:load", (event) => attachWithin(event.target));
})();
