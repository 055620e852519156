// /api/docs: Swagger UI over the settings the page embeds (json_script "swagger-settings"); "Try it out" sends the
// session's CSRF token like the pages do.
(function () {
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var token = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (req) {
    if (token) { req.headers["X-CSRFToken"] = token; }
    return req;
  };
  window.ui = SwaggerUIBundle(config);
})();
