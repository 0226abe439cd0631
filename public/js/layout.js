// Progressive enhancement of the layout (views/partials/header.ejs and
// settings-nav.ejs); without this file the account link opens the profile and
// the navigation is an open list.
document.documentElement.classList.add("js");

// The settings navigation is a <details> rendered open; on phones it starts
// closed (the summary says "Menu"), on wider screens it is always open.
const narrow = window.matchMedia("(max-width: 760px)");
const sidenav = document.querySelector("[data-sidenav]");
function fitNavigation() {
  if (sidenav instanceof HTMLDetailsElement) sidenav.open = !narrow.matches;
}
fitNavigation();
narrow.addEventListener("change", fitNavigation);

// The account menu: the avatar + username link becomes a menu button (WAI-ARIA
// menu button pattern). Enter, Space and ArrowDown open it on the first item,
// ArrowUp on the last; arrows, Home and End move; Escape closes and returns
// focus to the button; Tab and a click elsewhere close it.
const menu = document.querySelector("[data-account-menu]");
const link = menu?.querySelector("[data-account-menu-trigger]");
const panel = menu?.querySelector("[data-account-menu-panel]");
if (menu && link && panel) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = link.className;
  button.innerHTML = link.innerHTML;
  button.id = "account-menu-button";
  button.setAttribute("aria-haspopup", "menu");
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "account-menu");
  button.setAttribute("data-account-menu-trigger", "");
  link.replaceWith(button);
  const list = panel.querySelector("[role=menu]");
  list?.setAttribute("aria-labelledby", button.id);
  list?.removeAttribute("aria-label");
  const items = () => [...panel.querySelectorAll("[role=menuitem]")];
  for (const item of items()) item.setAttribute("tabindex", "-1");

  const isOpen = () => !panel.hidden;
  const open = (focusIndex) => {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    const all = items();
    all.at(focusIndex)?.focus();
  };
  const close = (returnFocus) => {
    if (!isOpen()) return;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (returnFocus) button.focus();
  };

  button.addEventListener("click", () => (isOpen() ? close(true) : open(0)));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      open(0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      open(-1);
    }
  });
  panel.addEventListener("keydown", (event) => {
    const all = items();
    const index = all.indexOf(document.activeElement);
    const move = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: all.length - 1 }[event.key];
    if (move !== undefined) {
      event.preventDefault();
      all[(move + all.length) % all.length]?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    } else if (event.key === " " && document.activeElement instanceof HTMLAnchorElement) {
      // Space activates a link item as it does a button item.
      event.preventDefault();
      document.activeElement.click();
    }
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && event.target instanceof Node && !menu.contains(event.target)) close(false);
  });
  menu.addEventListener("focusout", (event) => {
    if (isOpen() && event.relatedTarget instanceof Node && !menu.contains(event.relatedTarget)) close(false);
  });
}
