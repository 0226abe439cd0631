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
  if (source) navigator.clipboard?.writeText(source.innerText).then(() => (target.textContent = "Copied"));
});
