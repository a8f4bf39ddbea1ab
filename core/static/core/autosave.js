// Nothing typed is lost (issue #8). No inline scripts (CSP): forms opt in with data- attributes.
//
// <form data-autosave="URL">: the form's input is posted to URL (a draft-save endpoint that keeps
//   the raw input without the "required" checks) 1 s after typing stops, at once after an htmx swap
//   inside the form (the photo accepted with 使用此照片), before following a link (step pills,
//   menu), and with navigator.sendBeacon when the page is hidden or closed. Files are never sent
//   here (a photo is kept through its document id). The browser warns before leaving only when
//   something could not be saved (the save failed, or the browser is offline).
// <form data-autosave-local="KEY">: forms without a server-side draft keep their fields in
//   sessionStorage (this tab) and restore them on return; files cannot be kept this way, so the
//   page says so ([data-autosave-files-note]). The key is cleared when the form is submitted; a
//   form shown again with errors ([data-autosave-bound]) is stored again at once.
(function () {
  "use strict";

  function showState(form, state) {
    var box = form.querySelector("[data-autosave-status]");
    if (!box) return;
    box.setAttribute("data-current", state || "");
    box.querySelectorAll("[data-state]").forEach(function (el) {
      el.hidden = el.getAttribute("data-state") !== state;
    });
  }

  function formPayload(form) {
    var data = new FormData(form);
    var drop = [];
    data.forEach(function (value, key) {
      if (typeof value !== "string") drop.push(key);
    });
    drop.forEach(function (key) { data.delete(key); });
    return data;
  }

  // ------------------------------------------------------------------ server-side drafts

  function serverDraft(form) {
    var url = form.getAttribute("data-autosave");
    var revision = 0;      // bumped on every edit
    var savedRevision = 0; // the revision the server has
    var failed = false;
    var submitting = false;
    var timer = null;
    var inflight = null;

    function dirty() { return revision !== savedRevision; }

    function save() {
      clearTimeout(timer);
      timer = null;
      if (inflight) return inflight.then(function () { return dirty() ? save() : true; });
      if (!dirty()) return Promise.resolve(true);
      var sending = revision;
      showState(form, "saving");
      inflight = fetch(url, {
        method: "POST",
        body: formPayload(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      }).then(function (response) {
        if (!response.ok) throw new Error("draft not saved: " + response.status);
        savedRevision = Math.max(savedRevision, sending);
        failed = false;
        form.setAttribute("data-autosave-saved", String(savedRevision));
        showState(form, dirty() ? "saving" : "saved");
        return true;
      }).catch(function () {
        failed = true;
        showState(form, "failed");
        return false;
      }).finally(function () {
        inflight = null;
      });
      return inflight;
    }

    function edited() {
      if (submitting) return;
      revision += 1;
      clearTimeout(timer);
      timer = setTimeout(save, 1000);
    }

    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    // Content swapped in by htmx (the accepted photo, a refreshed list): save at once.
    form.addEventListener("htmx:afterSettle", function () {
      if (submitting) return;
      revision += 1;
      save();
    });

    // 下一步 / 上一步 / 保存 save through the form itself; wait for a draft save in flight first, so
    // that it cannot land after (and over) the step's own save.
    form.addEventListener("submit", function (event) {
      clearTimeout(timer);
      if (inflight && !event.defaultPrevented) {
        event.preventDefault();
        var submitter = event.submitter;
        inflight.then(function () {
          submitting = true;
          if (submitter && form.requestSubmit) form.requestSubmit(submitter); else form.submit();
        });
        return;
      }
      submitting = true;
    });
    window.addEventListener("pageshow", function () { submitting = false; });

    // Links (step pills, the menu, anything else): save first, then go.
    document.addEventListener("click", function (event) {
      if (submitting || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || link.target || link.hasAttribute("download")) return;
      var href = link.getAttribute("href");
      if (!href || href.charAt(0) === "#" || link.origin !== window.location.origin) return;
      if (!dirty() && !inflight) return;
      event.preventDefault();
      save().then(function () { window.location.href = link.href; });
    });

    // Closing the tab, going back, switching apps: a beacon survives the page.
    function flush() {
      if (submitting || !dirty()) return;
      clearTimeout(timer);
      if (navigator.sendBeacon && navigator.sendBeacon(url, formPayload(form))) {
        savedRevision = revision; // queued by the browser; it sends it even after the page is gone
      } else {
        failed = true;
      }
    }
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || !dirty()) return;
      if (failed || navigator.onLine === false) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  // ------------------------------------------------------------------ sessionStorage drafts

  function localDraft(form) {
    var key = "draft:" + form.getAttribute("data-autosave-local") + ":" + window.location.pathname;
    var pending = null; // fields still to restore (they may arrive with an htmx swap)

    function kept(el) {
      if (!el.name || el.disabled) return false;
      var type = (el.type || "").toLowerCase();
      return ["hidden", "file", "submit", "button", "reset", "password"].indexOf(type) < 0;
    }

    function snapshot() {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!kept(el)) return;
        var type = (el.type || "").toLowerCase();
        if (!(el.name in values)) values[el.name] = [];
        if (type === "checkbox" || type === "radio") {
          if (el.checked) values[el.name].push(el.value);
        } else if (el.multiple && el.options) {
          Array.prototype.forEach.call(el.selectedOptions, function (o) { values[el.name].push(o.value); });
        } else {
          values[el.name].push(el.value);
        }
      });
      try { sessionStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* storage full or off */ }
    }

    function apply(values) {
      var left = {};
      Object.keys(values).forEach(function (name) {
        var els = Array.prototype.filter.call(form.elements, function (el) { return el.name === name && kept(el); });
        if (!els.length) { left[name] = values[name]; return; }
        var wanted = values[name];
        els.forEach(function (el, i) {
          var type = (el.type || "").toLowerCase();
          var before = type === "checkbox" || type === "radio" ? el.checked : el.value;
          if (type === "checkbox" || type === "radio") {
            el.checked = wanted.indexOf(el.value) >= 0;
          } else if (wanted[i] !== undefined) {
            el.value = wanted[i];
          }
          var after = type === "checkbox" || type === "radio" ? el.checked : el.value;
          if (before !== after) el.dispatchEvent(new Event("change", { bubbles: true }));
        });
      });
      return left;
    }

    var stored = null;
    try { stored = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    if (form.hasAttribute("data-autosave-bound")) {
      snapshot(); // shown again with errors: what the server shows is what was typed
    } else if (stored) {
      pending = apply(stored);
      var note = form.querySelector("[data-autosave-restored]");
      if (note) note.hidden = false;
    }
    form.addEventListener("htmx:afterSettle", function () {
      if (pending && Object.keys(pending).length) pending = apply(pending);
      snapshot();
    });
    form.addEventListener("input", snapshot);
    form.addEventListener("change", snapshot);
    form.addEventListener("submit", function () {
      try { sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
    });
  }

  function init() {
    document.querySelectorAll("form[data-autosave]").forEach(serverDraft);
    document.querySelectorAll("form[data-autosave-local]").forEach(localDraft);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
