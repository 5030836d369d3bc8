// Starts Swagger UI on /docs with this worker's own description. Kept out of the HTML so the
// page's CSP can allow scripts from 'self' only; the validator badge is off because it would
// send the document to a third party. The settings and labels below clear what axe-core found
// on the default page (test/browser/overview.test.ts).
(() => {
  const url = document.currentScript.getAttribute("data-openapi");
  window.ui = SwaggerUIBundle({
    url: url,
    dom_id: "#swagger-ui",
    // a deep link puts an <a> inside each operation's toggle button: nested controls a keyboard or
    // screen reader cannot tell apart (axe: nested-interactive), so operations open in place instead
    deepLinking: false,
    // plain code blocks: the highlighter's colours fail contrast, and it is the slowest part on phones
    syntaxHighlight: { activated: false },
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
  // Swagger UI draws bare <select>s (servers, examples) and scrollable code blocks without a
  // name or a way in from the keyboard; they are named and made focusable as they appear, and
  // its headings are given the levels they have on the page
  const NAMES = { servers: "Server", "examples-select-element": "Example" };
  const label = (root) => {
    for (const select of root.querySelectorAll("select#servers, select.examples-select-element"))
      if (!select.hasAttribute("aria-label"))
        select.setAttribute("aria-label", NAMES[select.id] ?? NAMES["examples-select-element"]);
    for (const block of root.querySelectorAll(".highlight-code > pre, .microlight"))
      if (!block.hasAttribute("tabindex")) {
        block.setAttribute("tabindex", "0");
        block.setAttribute("aria-label", "Example code");
      }
    // the title is an <h1> but each tag and "Schemas" is an <h3>/<h4>, and an opened operation's
    // "Parameters"/"Responses" another <h4>: skipped levels for a screen reader's list of headings
    // (axe and Lighthouse: heading-order), so they are read as levels 2 and 3
    for (const heading of root.querySelectorAll("h3.opblock-tag, section.models > h4"))
      if (!heading.hasAttribute("aria-level")) heading.setAttribute("aria-level", "2");
    for (const heading of root.querySelectorAll(".opblock-body h4"))
      if (!heading.hasAttribute("aria-level")) heading.setAttribute("aria-level", "3");
  };
  const root = document.getElementById("swagger-ui");
  new MutationObserver(() => label(root)).observe(root, { childList: true, subtree: true });
  label(root);
})();
