// Starts Swagger UI on /docs with this worker's own description. Kept out of the HTML so the
// page's CSP can allow scripts from 'self' only; the validator badge is off because it would
// send the document to a third party.
(() => {
  const url = document.currentScript.getAttribute("data-openapi");
  window.ui = SwaggerUIBundle({
    url: url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Swagger UI's servers list is a bare <select>: name it once it is drawn
    onComplete: () => {
      for (const select of document.querySelectorAll("select#servers")) select.setAttribute("aria-label", "Server");
    },
  });
})();
