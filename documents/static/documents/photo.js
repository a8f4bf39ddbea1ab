// The 1-inch photo cropper (documents/_photo_picker.html). The person drags a fixed 295:413 frame
// over the chosen image and zooms with the range input; the crop goes to the server in source
// pixels, where the photo is cut, checked and compressed. No library, no inline script (CSP).
(function () {
  "use strict";

  var RATIO = 295 / 413;
  var MAX_STAGE_WIDTH = 360;
  var MAX_STAGE_HEIGHT = 480;
  // A phone's full-size picture is scaled down here before it is sent: above LARGE_EDGE pixels on
  // its long side or LARGE_BYTES, the cropper shows (and the form uploads) a JPEG of at most
  // SCALED_EDGE pixels. The crop is then in that JPEG's pixels, which is what the server expects.
  var LARGE_EDGE = 4000;
  var LARGE_BYTES = 8 * 1024 * 1024;
  var SCALED_EDGE = 3000;
  var SCALED_QUALITY = 0.9;
  var states = new WeakMap();
  var choices = new WeakMap(); // picker -> the latest choice (a later choice makes an earlier one stale)
  var scaledFiles = new WeakSet();

  function part(picker, selector) { return picker.querySelector(selector); }

  function writeCrop(picker, state) {
    var scale = state.naturalWidth / state.displayWidth;
    var values = {
      x: Math.round(state.frame.x * scale),
      y: Math.round(state.frame.y * scale),
      w: Math.round(state.frame.w * scale),
      h: Math.round(state.frame.h * scale)
    };
    Object.keys(values).forEach(function (key) {
      part(picker, "[data-crop='" + key + "']").value = String(values[key]);
    });
  }

  function place(picker, state) {
    var frame = state.frame;
    frame.x = Math.min(Math.max(frame.x, 0), state.displayWidth - frame.w);
    frame.y = Math.min(Math.max(frame.y, 0), state.displayHeight - frame.h);
    var element = part(picker, "[data-photo-frame]");
    element.style.left = frame.x + "px";
    element.style.top = frame.y + "px";
    element.style.width = frame.w + "px";
    element.style.height = frame.h + "px";
    // The frame is a two-dimensional slider: its value is the horizontal position (0–100 %),
    // the spoken text gives both positions.
    var percentX = Math.round(100 * frame.x / Math.max(state.displayWidth - frame.w, 1));
    var percentY = Math.round(100 * frame.y / Math.max(state.displayHeight - frame.h, 1));
    element.setAttribute("aria-valuenow", String(percentX));
    element.setAttribute("aria-valuetext", (element.dataset.valuetext || "{x}, {y}")
      .replace("{x}", percentX + "%").replace("{y}", percentY + "%"));
    writeCrop(picker, state);
  }

  function zoomTo(picker, state, percent) {
    var frame = state.frame;
    var centreX = frame.x + frame.w / 2;
    var centreY = frame.y + frame.h / 2;
    frame.w = state.maxFrameWidth * percent / 100;
    frame.h = frame.w / RATIO;
    frame.x = centreX - frame.w / 2;
    frame.y = centreY - frame.h / 2;
    place(picker, state);
  }

  function layout(picker, image) {
    var stage = part(picker, "[data-photo-stage]");
    var available = Math.min(MAX_STAGE_WIDTH, (stage.parentElement.clientWidth || MAX_STAGE_WIDTH));
    var scale = Math.min(available / image.naturalWidth, MAX_STAGE_HEIGHT / image.naturalHeight, 1);
    var state = {
      naturalWidth: image.naturalWidth,
      displayWidth: image.naturalWidth * scale,
      displayHeight: image.naturalHeight * scale,
      frame: { x: 0, y: 0, w: 0, h: 0 }
    };
    state.maxFrameWidth = Math.min(state.displayWidth, state.displayHeight * RATIO);
    image.style.width = state.displayWidth + "px";
    image.style.height = state.displayHeight + "px";
    stage.style.width = state.displayWidth + "px";
    stage.style.height = state.displayHeight + "px";
    var zoom = part(picker, "[data-photo-zoom]");
    zoom.value = "100";
    state.frame.w = state.maxFrameWidth;
    state.frame.h = state.frame.w / RATIO;
    state.frame.x = (state.displayWidth - state.frame.w) / 2;
    state.frame.y = (state.displayHeight - state.frame.h) / 2;
    states.set(picker, state);
    place(picker, state);
  }

  function clearCrop(picker) {
    picker.querySelectorAll("[data-crop]").forEach(function (input) { input.value = ""; });
  }

  function decodeOriented(file) {
    // EXIF orientation applied, as the <img> shows it; older browsers know no options.
    return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
      return createImageBitmap(file);
    });
  }

  // A Promise of the smaller JPEG File, or of null when the original is to be sent as it is.
  function scaledDown(file) {
    if (!window.createImageBitmap || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) {
      return Promise.resolve(null);
    }
    return decodeOriented(file).then(function (bitmap) {
      var longSide = Math.max(bitmap.width, bitmap.height);
      var scale = Math.min(1, SCALED_EDGE / longSide);
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a PNG's transparent parts: white, as a JPEG has no alpha
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(null); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          var smaller = new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
          scaledFiles.add(smaller);
          resolve(smaller);
        }, "image/jpeg", SCALED_QUALITY);
      });
    }).catch(function () { return null; });
  }

  function replaceFile(picker, file) {
    // The file input now holds the smaller JPEG: htmx sends it in place of the original.
    try {
      var transfer = new DataTransfer();
      transfer.items.add(file);
      part(picker, "[data-photo-file]").files = transfer.files;
      return true;
    } catch (error) {
      return false;
    }
  }

  function isLarge(file, image) {
    return file.size > LARGE_BYTES || Math.max(image.naturalWidth, image.naturalHeight) > LARGE_EDGE;
  }

  function choose(picker, file) {
    var cropper = part(picker, "[data-photo-cropper]");
    var image = part(picker, "[data-photo-source]");
    var choice = {};
    choices.set(picker, choice);
    if (image.dataset.url) { URL.revokeObjectURL(image.dataset.url); delete image.dataset.url; }
    clearCrop(picker);
    states.delete(picker);
    if (!file) { cropper.hidden = true; return; }
    cropper.hidden = true;
    picker.removeAttribute("data-photo-scaled");
    var url = URL.createObjectURL(file);
    image.dataset.url = url;
    image.onload = function () {
      if (choices.get(picker) !== choice) return;
      if (!scaledFiles.has(file) && isLarge(file, image)) {
        picker.setAttribute("aria-busy", "true");
        scaledDown(file).then(function (smaller) {
          if (choices.get(picker) !== choice) return;
          picker.removeAttribute("aria-busy");
          if (smaller && replaceFile(picker, smaller)) {
            picker.setAttribute("data-photo-scaled", "");
            URL.revokeObjectURL(url);
            show(picker, image, smaller, choice);
          } else {
            reveal(picker, image);
          }
        });
        return;
      }
      reveal(picker, image);
    };
    image.onerror = function () {
      // Not an image the browser can show: let the server say what is wrong with it.
      if (choices.get(picker) === choice) cropper.hidden = false;
    };
    image.src = url;
  }

  function show(picker, image, file, choice) {
    var url = URL.createObjectURL(file);
    image.dataset.url = url;
    image.onload = function () { if (choices.get(picker) === choice) reveal(picker, image); };
    image.src = url;
  }

  function reveal(picker, image) {
    part(picker, "[data-photo-cropper]").hidden = false;
    layout(picker, image);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-photo-file]")) return;
    var file = input.files && input.files[0];
    if (file && scaledFiles.has(file)) return; // the smaller JPEG put in by scaledDown
    choose(input.closest("[data-photo-picker]"), file);
  });

  document.addEventListener("input", function (event) {
    var zoom = event.target;
    if (!zoom.matches || !zoom.matches("[data-photo-zoom]")) return;
    var picker = zoom.closest("[data-photo-picker]");
    var state = states.get(picker);
    if (state) zoomTo(picker, state, parseFloat(zoom.value));
  });

  // Dragging with mouse, pen or finger.
  document.addEventListener("pointerdown", function (event) {
    var frame = event.target.closest && event.target.closest("[data-photo-frame]");
    if (!frame) return;
    var picker = frame.closest("[data-photo-picker]");
    var state = states.get(picker);
    if (!state) return;
    event.preventDefault();
    frame.setPointerCapture(event.pointerId);
    var start = { x: event.clientX, y: event.clientY, frameX: state.frame.x, frameY: state.frame.y };
    function move(moveEvent) {
      state.frame.x = start.frameX + moveEvent.clientX - start.x;
      state.frame.y = start.frameY + moveEvent.clientY - start.y;
      place(picker, state);
    }
    function stop() {
      frame.removeEventListener("pointermove", move);
      frame.removeEventListener("pointerup", stop);
      frame.removeEventListener("pointercancel", stop);
    }
    frame.addEventListener("pointermove", move);
    frame.addEventListener("pointerup", stop);
    frame.addEventListener("pointercancel", stop);
  });

  // Arrow keys move the focused frame (keyboard users).
  document.addEventListener("keydown", function (event) {
    var frame = event.target.closest && event.target.closest("[data-photo-frame]");
    if (!frame) return;
    var steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    var step = steps[event.key];
    var picker = frame.closest("[data-photo-picker]");
    var state = states.get(picker);
    if (!state) return;
    if (event.key === "Home" || event.key === "End") {
      // Slider keys: to the left or right edge.
      event.preventDefault();
      state.frame.x = event.key === "Home" ? 0 : state.displayWidth;
      place(picker, state);
      return;
    }
    if (!step) return;
    event.preventDefault();
    var distance = event.shiftKey ? 10 : 2;
    state.frame.x += step[0] * distance;
    state.frame.y += step[1] * distance;
    place(picker, state);
  });

  // After the server answered: on success forget the chosen file (the form now carries the
  // document id, not the big original); on error mark the file field and keep the crop to adjust.
  document.addEventListener("htmx:afterSwap", function (event) {
    // Triggered on the button that asked, which stays in the page (the state box is replaced).
    var origin = event.target;
    var picker = origin && origin.closest && origin.closest("[data-photo-picker]");
    if (!picker) return;
    var stateBox = part(picker, ".photo-state");
    var fileInput = part(picker, "[data-photo-file]");
    var failed = stateBox && stateBox.hasAttribute("data-photo-error");
    fileInput.classList.toggle("is-invalid", !!failed);
    if (!failed && stateBox && stateBox.hasAttribute("data-photo-ok")) {
      fileInput.value = "";
      choose(picker, null);
    }
  });
})();
