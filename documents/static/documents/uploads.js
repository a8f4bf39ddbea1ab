// The upload boxes (documents/_proof_upload_state.html, _photo_state.html). No inline script (CSP).
(function () {
  "use strict";
  if (window.hbkjUploadBoxes) return;
  window.hbkjUploadBoxes = true;

  // htmx does not swap 4xx/5xx answers by default. When the file storage is unavailable the box
  // comes back with its message and status 503: show it in the box like any other refusal.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 503 && target && target.hasAttribute("data-upload-box")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
