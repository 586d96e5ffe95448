// inpaint serve — the page. Plain JavaScript, no libraries, nothing fetched from elsewhere.
//
// The document being edited is {photo, maskBase, strokes}: photo = {blob, name, filled, edits}
// (the file's own bytes, sent as they are, so EXIF, alpha and 16 bits reach the server untouched;
// filled: the bytes are a result of the server's; edits: what made them, "fill" / "colourise");
// maskBase = a canvas holding an uploaded mask (or null); strokes = [{mode, size, points}] in
// photo pixels. Every edit makes a new document, so undo/redo covers strokes, masks and fills.
// Only the current photo is kept decoded (big photos would fill memory otherwise).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const el = {
    viewport: $("viewport"), stage: $("stage"), photo: $("photo"), mask: $("mask"), before: $("before"),
    cursor: $("cursor"), split: $("split"), empty: $("empty"), busy: $("busy"), busyText: $("busy-text"),
    message: $("message"), info: $("info"), size: $("size"), sizeValue: $("size-value"),
    method: $("method"), dilate: $("dilate"), photoFile: $("photo-file"), maskFile: $("mask-file"),
    shortcuts: $("shortcuts"), zoomValue: $("zoom-value"),
  };
  const buttons = ["open", "open-mask", "tool-brush", "tool-eraser", "undo", "redo", "clear", "zoom-out",
                   "zoom-fit", "zoom-in", "compare", "colorize", "fill", "download", "help", "open-empty"];
  const btn = Object.fromEntries(buttons.map((id) => [id, $(id)]));
  const MASK_COLOUR = "#ff3d7f";
  const MIN_ZOOM = 0.02, MAX_ZOOM = 32;

  const state = {
    doc: null, undo: [], redo: [], tool: "brush", zoom: 1, panX: 0, panY: 0,
    width: 0, height: 0, shownPhoto: null, original: null, busy: false, comparing: false, split: 0.5,
    space: false, stroke: null, pan: null, methods: [], limits: null, labels: {}, renderSeq: 0,
    canColorize: false,
  };
  const maskCtx = el.mask.getContext("2d");

  // ---------- messages ----------
  function say(text, kind = "") {
    el.message.textContent = text;
    el.message.className = kind;
    el.message.title = text;
  }
  const fail = (text) => say(text, "error");

  function updateInfo() {
    const parts = [];
    if (state.doc) parts.push(`${state.width}×${state.height}`);
    parts.push(`${state.tool === "eraser" ? "Eraser" : "Brush"} ${el.size.value} px`);
    const method = state.labels[el.method.value];
    if (method) parts.push(method);
    el.info.textContent = parts.join("  ·  ");
    el.zoomValue.textContent = state.doc ? `${Math.round(state.zoom * 100)} %` : "–";
  }

  function updateButtons() {
    const has = !!state.doc, idle = !state.busy;
    const painted = has && (state.doc.strokes.length > 0 || !!state.doc.maskBase);
    btn["open"].disabled = !idle;
    btn["open-mask"].disabled = !has || !idle;
    btn["undo"].disabled = !idle || state.undo.length === 0;
    btn["redo"].disabled = !idle || state.redo.length === 0;
    btn["clear"].disabled = !idle || !painted;
    for (const id of ["zoom-out", "zoom-fit", "zoom-in", "compare"]) btn[id].disabled = !has;
    btn["fill"].disabled = !idle || !painted || state.methods.length === 0;
    btn["colorize"].disabled = !has || !idle || !state.canColorize;
    btn["download"].disabled = !has || !state.doc.photo.filled;
    btn["compare"].setAttribute("aria-pressed", String(state.comparing));
    for (const tool of ["brush", "eraser"]) {
      const b = btn[`tool-${tool}`];
      b.classList.toggle("active", state.tool === tool);
      b.setAttribute("aria-pressed", String(state.tool === tool));
    }
    updateInfo();
  }

  // ---------- view: zoom and pan ----------
  function applyView() {
    el.stage.style.transform = `translate(${state.panX}px, ${state.panY}px) scale(${state.zoom})`;
    el.stage.classList.toggle("pixelated", state.zoom >= 2);
    if (state.comparing) placeSplit();
    updateInfo();
  }

  function fit() {
    if (!state.doc) return;
    const vw = el.viewport.clientWidth, vh = el.viewport.clientHeight;
    state.zoom = Math.min((vw - 48) / state.width, (vh - 48) / state.height, 2);
    state.zoom = Math.max(state.zoom, MIN_ZOOM);
    state.panX = Math.round((vw - state.width * state.zoom) / 2);
    state.panY = Math.round((vh - state.height * state.zoom) / 2);
    applyView();
  }

  function zoomAt(factor, sx, sy) {
    if (!state.doc) return;
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, state.zoom * factor));
    if (sx === undefined) { sx = el.viewport.clientWidth / 2; sy = el.viewport.clientHeight / 2; }
    state.panX = sx - (sx - state.panX) * (zoom / state.zoom);
    state.panY = sy - (sy - state.panY) * (zoom / state.zoom);
    state.zoom = zoom;
    applyView();
  }

  function actualSize() {
    if (!state.doc) return;
    zoomAt(1 / state.zoom);
  }

  function local(e) {
    const r = el.viewport.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }
  const toImage = (p) => ({ x: (p.x - state.panX) / state.zoom, y: (p.y - state.panY) / state.zoom });

  // ---------- drawing ----------
  function drawSegment(ctx, stroke, from, to) {
    ctx.save();
    ctx.globalCompositeOperation = stroke.mode === "eraser" ? "destination-out" : "source-over";
    ctx.strokeStyle = ctx.fillStyle = MASK_COLOUR;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.lineWidth = stroke.size;
    if (from.x === to.x && from.y === to.y) {
      ctx.beginPath();
      ctx.arc(to.x, to.y, stroke.size / 2, 0, Math.PI * 2);
      ctx.fill();
    } else {
      ctx.beginPath();
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    }
    ctx.restore();
  }

  function drawStroke(ctx, stroke) {
    const pts = stroke.points;
    drawSegment(ctx, stroke, pts[0], pts[0]);
    for (let i = 1; i < pts.length; i++) drawSegment(ctx, stroke, pts[i - 1], pts[i]);
  }

  function redrawMask() {
    maskCtx.clearRect(0, 0, state.width, state.height);
    if (!state.doc) return;
    if (state.doc.maskBase) maskCtx.drawImage(state.doc.maskBase, 0, 0);
    for (const stroke of state.doc.strokes) drawStroke(maskCtx, stroke);
  }

  async function decode(blob) {
    return createImageBitmap(blob, { imageOrientation: "from-image", premultiplyAlpha: "none" });
  }

  async function showPhoto() {
    const photo = state.doc.photo;
    if (state.shownPhoto === photo) return;
    const seq = ++state.renderSeq;
    const bitmap = await decode(photo.blob);
    if (seq !== state.renderSeq) { bitmap.close(); return; }
    const ctx = el.photo.getContext("2d");
    ctx.clearRect(0, 0, state.width, state.height);
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    state.shownPhoto = photo;
  }

  async function render() {
    redrawMask();
    updateButtons();
    if (state.doc) await showPhoto();
  }

  // ---------- history ----------
  function commit(doc) {
    state.undo.push(state.doc);
    state.redo = [];
    state.doc = doc;
    return render();
  }

  function undo() {
    if (state.busy || !state.undo.length) return;
    state.redo.push(state.doc);
    state.doc = state.undo.pop();
    render();
    say("Undone.");
  }

  function redo() {
    if (state.busy || !state.redo.length) return;
    state.undo.push(state.doc);
    state.doc = state.redo.pop();
    render();
    say("Redone.");
  }

  function clearMask() {
    if (!state.doc || state.busy || (!state.doc.strokes.length && !state.doc.maskBase)) return;
    commit({ ...state.doc, maskBase: null, strokes: [] });
    say("Mask cleared.");
  }

  // ---------- opening a photo ----------
  function sizeCanvases(w, h) {
    for (const c of [el.photo, el.mask, el.before]) { c.width = w; c.height = h; }
    el.stage.style.width = `${w}px`;
    el.stage.style.height = `${h}px`;
    state.width = w; state.height = h;
  }

  async function openPhoto(file) {
    if (!file || state.busy) return;
    if (state.limits && file.size > state.limits.max_upload_bytes) {
      fail(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB, over the server's limit of ` +
           `${state.limits.max_upload_bytes / 1e6} MB.`);
      return;
    }
    let bitmap, blob = file;
    try {
      bitmap = await decode(file);
    } catch (err) {
      // A format the browser cannot show (TIFF, say): the server reads it and gives it back as a
      // lossless PNG (an empty mask fills nothing), which is then the photo; or says what is wrong.
      setBusy(true, "Reading the photo…");
      try {
        blob = await viaServer(file);
        bitmap = await decode(blob);
      } catch (err2) {
        fail(`${file.name}: ${err2.message}`);
        return;
      } finally {
        setBusy(false);
      }
    }
    if (state.limits && bitmap.width * bitmap.height > state.limits.max_pixels) {
      fail(`${file.name} is ${bitmap.width}×${bitmap.height}, over the server's limit of ` +
           `${state.limits.max_pixels / 1e6} megapixels.`);
      bitmap.close();
      return;
    }
    setComparing(false);
    sizeCanvases(bitmap.width, bitmap.height);
    el.before.getContext("2d").drawImage(bitmap, 0, 0);
    bitmap.close();
    state.doc = { photo: { blob, name: file.name, filled: false, edits: [] }, maskBase: null, strokes: [] };
    state.undo = []; state.redo = []; state.shownPhoto = null;
    el.empty.hidden = true;
    el.stage.classList.add("shown");
    await render();
    fit();
    say(`Opened ${file.name}. Brush over what to remove, then press Fill (Enter).`);
  }

  async function viaServer(file) {
    const pixel = document.createElement("canvas");
    pixel.width = pixel.height = 1;
    pixel.getContext("2d").fillRect(0, 0, 1, 1);  // one black (known) pixel, scaled to the photo
    const mask = await new Promise((resolve) => pixel.toBlob(resolve, "image/png"));
    const form = new FormData();
    form.append("image", file, "image");
    form.append("mask", mask, "mask.png");
    form.append("resize_mask", "1");
    if (state.methods.length) form.append("method", state.methods[state.methods.length - 1].name);
    const response = await fetch("/api/fill", { method: "POST", body: form });
    if (!response.ok) throw new Error(await errorOf(response));
    return response.blob();
  }

  // ---------- a mask file instead of painting ----------
  async function openMask(file) {
    if (!file || !state.doc || state.busy) return;
    // Scale a mask of another size only when its shape matches the photo's (else it would be distorted).
    let resize = false;
    try {
      const probe = await createImageBitmap(file);
      resize = Math.abs(probe.width / probe.height - state.width / state.height) < 0.01;
      probe.close();
    } catch (err) { /* a format the browser cannot show: the server still reads it */ }
    const form = new FormData();
    form.append("mask", file, "mask");
    form.append("width", String(state.width));
    form.append("height", String(state.height));
    form.append("resize_mask", resize ? "1" : "0");
    setBusy(true, "Reading the mask…");
    try {
      const response = await fetch("/api/mask", { method: "POST", body: form });
      if (!response.ok) { fail(await errorOf(response)); return; }
      const grey = await createImageBitmap(await response.blob());
      const base = document.createElement("canvas");
      base.width = state.width; base.height = state.height;
      const ctx = base.getContext("2d");
      ctx.drawImage(grey, 0, 0);
      grey.close();
      const data = ctx.getImageData(0, 0, state.width, state.height);
      const px = data.data;
      let holes = 0;
      for (let i = 0; i < px.length; i += 4) {  // white = hole → the brush colour, opaque
        const hole = px[i] >= 128;
        holes += hole;
        px[i] = 255; px[i + 1] = 61; px[i + 2] = 127; px[i + 3] = hole ? 255 : 0;
      }
      ctx.putImageData(data, 0, 0);
      await commit({ ...state.doc, maskBase: base, strokes: [] });
      say(`Mask ${file.name}: ${(100 * holes / (state.width * state.height)).toFixed(1)} % of the photo ` +
          "to fill. Brush or erase to adjust it.");
    } catch (err) {
      fail(`Cannot reach the server: ${err.message}`);
    } finally {
      setBusy(false);
    }
  }

  // ---------- fill ----------
  function maskBlob() {
    // Any painted pixel (antialiased edges too) is a hole: white on black, the CLI's convention.
    const c = document.createElement("canvas");
    c.width = state.width; c.height = state.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(el.mask, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height);
    const px = data.data;
    let holes = 0;
    for (let i = 0; i < px.length; i += 4) {
      const v = px[i + 3] > 0 ? 255 : 0;
      holes += v > 0;
      px[i] = px[i + 1] = px[i + 2] = v; px[i + 3] = 255;
    }
    ctx.putImageData(data, 0, 0);
    return new Promise((resolve) => c.toBlob((blob) => resolve({ blob, holes }), "image/png"));
  }

  async function errorOf(response) {
    try {
      const body = await response.json();
      if (body && body.error) return body.error;
    } catch (err) { /* not JSON */ }
    return `the server answered ${response.status} ${response.statusText}`;
  }

  function setBusy(busy, text = "Filling…") {
    state.busy = busy;
    el.busy.hidden = !busy;
    el.busyText.textContent = text;
    document.body.setAttribute("aria-busy", String(busy));
    updateButtons();
  }

  async function fill() {
    if (!state.doc || state.busy || btn["fill"].disabled) return;
    const { blob, holes } = await maskBlob();
    if (!holes) { fail("Nothing to fill: brush over what to remove first."); return; }
    const method = el.method.value;
    const form = new FormData();
    form.append("image", state.doc.photo.blob, "image");
    form.append("mask", blob, "mask.png");
    form.append("method", method);
    form.append("dilate", el.dilate.value);
    setComparing(false);
    setBusy(true, `Filling with ${state.labels[method] || method}…`);
    const started = performance.now();
    try {
      const response = await fetch("/api/fill", { method: "POST", body: form });
      if (!response.ok) { fail(await errorOf(response)); return; }
      const result = await response.blob();
      const name = state.doc.photo.name;
      const edits = [...new Set([...state.doc.photo.edits, "fill"])];
      await commit({ photo: { blob: result, name, filled: true, edits }, maskBase: null, strokes: [] });
      const notes = JSON.parse(response.headers.get("X-Inpaint-Notes") || "[]");
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      say(`Filled with ${state.labels[method] || method} in ${seconds} s.` +
          (notes.length ? ` Note: ${notes.join("; ")}` : " Keep brushing, or download the result."), "ok");
    } catch (err) {
      fail(`Cannot reach the server: ${err.message}`);
    } finally {
      setBusy(false);
    }
  }

  async function colorize() {
    if (!state.doc || state.busy || btn["colorize"].disabled) return;
    const form = new FormData();
    form.append("image", state.doc.photo.blob, "image");
    setComparing(false);
    setBusy(true, "Colourising…");
    const started = performance.now();
    try {
      const response = await fetch("/api/colorize", { method: "POST", body: form });
      if (!response.ok) { fail(await errorOf(response)); return; }
      const result = await response.blob();
      const photo = state.doc.photo;
      const edits = [...new Set([...photo.edits, "colourise"])];
      // the painted mask stays: colourising first and removing things after is one workflow
      await commit({ ...state.doc, photo: { blob: result, name: photo.name, filled: true, edits } });
      const notes = JSON.parse(response.headers.get("X-Inpaint-Notes") || "[]");
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      say(`Colourised in ${seconds} s.` + (notes.length ? ` Note: ${notes.join("; ")}` : " Compare (C), or download the result."), "ok");
    } catch (err) {
      fail(`Cannot reach the server: ${err.message}`);
    } finally {
      setBusy(false);
    }
  }

  function download() {
    if (!state.doc || !state.doc.photo.filled) return;
    const a = document.createElement("a");
    const edits = state.doc.photo.edits;
    const suffix = edits.length > 1 ? "edited" : edits[0] === "colourise" ? "colourised" : "filled";
    a.href = URL.createObjectURL(state.doc.photo.blob);
    a.download = `${state.doc.photo.name.replace(/\.[^.]*$/, "") || "photo"}_${suffix}.png`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    say(`Saved ${a.download} (lossless PNG; EXIF and transparency kept).`);
  }

  // ---------- before / after ----------
  function placeSplit() {
    const x = state.panX + state.split * state.width * state.zoom;
    el.split.style.left = `${x}px`;
    el.split.style.top = `${Math.max(0, state.panY)}px`;
    el.split.style.height = `${Math.min(el.viewport.clientHeight, state.height * state.zoom)}px`;
    el.before.style.clipPath = `inset(0 ${(1 - state.split) * 100}% 0 0)`;
  }

  function setComparing(on) {
    state.comparing = on && !!state.doc;
    el.before.style.display = state.comparing ? "block" : "none";
    el.mask.style.display = state.comparing ? "none" : "block";
    el.split.hidden = !state.comparing;
    el.viewport.classList.toggle("comparing", state.comparing);
    if (state.comparing) { placeSplit(); el.cursor.hidden = true; }
    updateButtons();
  }

  // ---------- pointer ----------
  function setTool(tool) {
    state.tool = tool;
    el.cursor.classList.toggle("eraser", tool === "eraser");
    updateButtons();
  }

  function moveCursor(p) {
    const size = Number(el.size.value);
    el.cursor.style.width = el.cursor.style.height = `${size}px`;
    el.cursor.style.left = `${p.x}px`;
    el.cursor.style.top = `${p.y}px`;
    el.cursor.hidden = !state.doc || state.comparing || state.space || !!state.pan;
  }

  el.viewport.addEventListener("pointerdown", (e) => {
    if (!state.doc) return;
    const p = local(e);
    el.viewport.setPointerCapture(e.pointerId);
    if (e.button === 1 || state.space) {
      state.pan = { x: p.x, y: p.y, panX: state.panX, panY: state.panY };
      el.viewport.classList.add("panning");
      e.preventDefault();
      return;
    }
    if (e.button !== 0) return;
    if (state.comparing) {
      state.split = Math.min(1, Math.max(0, (p.x - state.panX) / (state.width * state.zoom)));
      state.pan = { compare: true };
      placeSplit();
      return;
    }
    if (state.busy) return;
    const point = toImage(p);
    state.stroke = { mode: state.tool, size: Number(el.size.value) / state.zoom, points: [point] };
    drawSegment(maskCtx, state.stroke, point, point);
  });

  el.viewport.addEventListener("pointermove", (e) => {
    const p = local(e);
    moveCursor(p);
    if (state.pan && state.pan.compare) {
      state.split = Math.min(1, Math.max(0, (p.x - state.panX) / (state.width * state.zoom)));
      placeSplit();
    } else if (state.pan) {
      state.panX = state.pan.panX + p.x - state.pan.x;
      state.panY = state.pan.panY + p.y - state.pan.y;
      applyView();
    } else if (state.stroke) {
      const pts = state.stroke.points, point = toImage(p);
      drawSegment(maskCtx, state.stroke, pts[pts.length - 1], point);
      pts.push(point);
    }
  });

  function endPointer() {
    if (state.stroke) {
      const stroke = state.stroke;
      state.stroke = null;
      state.undo.push(state.doc);  // the stroke is on the canvas already: no redraw needed
      state.redo = [];
      state.doc = { ...state.doc, strokes: state.doc.strokes.concat([stroke]) };
      updateButtons();
    }
    state.pan = null;
    el.viewport.classList.remove("panning");
  }
  el.viewport.addEventListener("pointerup", endPointer);
  el.viewport.addEventListener("pointercancel", endPointer);
  el.viewport.addEventListener("pointerleave", () => { el.cursor.hidden = true; });
  el.viewport.addEventListener("pointerenter", (e) => moveCursor(local(e)));
  el.viewport.addEventListener("contextmenu", (e) => e.preventDefault());
  el.viewport.addEventListener("wheel", (e) => {
    if (!state.doc) return;
    e.preventDefault();
    const p = local(e);
    zoomAt(Math.pow(1.0015, -e.deltaY), p.x, p.y);
  }, { passive: false });

  // ---------- drag and drop ----------
  for (const type of ["dragenter", "dragover"]) {
    el.viewport.addEventListener(type, (e) => { e.preventDefault(); el.viewport.classList.add("dragging"); });
  }
  el.viewport.addEventListener("dragleave", () => el.viewport.classList.remove("dragging"));
  el.viewport.addEventListener("drop", (e) => {
    e.preventDefault();
    el.viewport.classList.remove("dragging");
    const file = e.dataTransfer.files[0];
    if (file) openPhoto(file);
  });

  // ---------- buttons ----------
  const pick = (input) => { input.value = ""; input.click(); };
  btn["open"].onclick = btn["open-empty"].onclick = () => pick(el.photoFile);
  btn["open-mask"].onclick = () => pick(el.maskFile);
  el.photoFile.onchange = () => openPhoto(el.photoFile.files[0]);
  el.maskFile.onchange = () => openMask(el.maskFile.files[0]);
  btn["tool-brush"].onclick = () => setTool("brush");
  btn["tool-eraser"].onclick = () => setTool("eraser");
  btn["undo"].onclick = undo;
  btn["redo"].onclick = redo;
  btn["clear"].onclick = clearMask;
  btn["zoom-in"].onclick = () => zoomAt(1.25);
  btn["zoom-out"].onclick = () => zoomAt(0.8);
  btn["zoom-fit"].onclick = fit;
  btn["compare"].onclick = () => setComparing(!state.comparing);
  btn["fill"].onclick = fill;
  btn["colorize"].onclick = colorize;
  btn["download"].onclick = download;
  btn["help"].onclick = () => {
    el.shortcuts.hidden = !el.shortcuts.hidden;
    btn["help"].setAttribute("aria-expanded", String(!el.shortcuts.hidden));
  };
  el.size.oninput = () => { el.sizeValue.textContent = el.size.value; updateInfo(); };
  el.method.onchange = updateInfo;
  window.addEventListener("resize", () => state.doc && fit());

  function setSize(delta) {
    const v = Math.min(Number(el.size.max), Math.max(Number(el.size.min), Number(el.size.value) + delta));
    el.size.value = String(v);
    el.size.oninput();
    el.cursor.style.width = el.cursor.style.height = `${v}px`;
  }

  // ---------- keyboard ----------
  window.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLSelectElement || e.target instanceof HTMLInputElement && e.target.type !== "range") return;
    const key = e.key.toLowerCase(), mod = e.ctrlKey || e.metaKey;
    if (mod && key === "z") { e.preventDefault(); (e.shiftKey ? redo : undo)(); return; }
    if (mod && key === "y") { e.preventDefault(); redo(); return; }
    if (mod && key === "s") { e.preventDefault(); download(); return; }
    if (mod && key === "o") { e.preventDefault(); pick(el.photoFile); return; }
    if (mod || e.altKey) return;
    if (key === " ") {
      e.preventDefault();
      if (!state.space) { state.space = true; el.viewport.classList.add("can-pan"); el.cursor.hidden = true; }
      return;
    }
    const actions = {
      b: () => setTool("brush"), e: () => setTool("eraser"), "[": () => setSize(-4), "]": () => setSize(4),
      enter: fill, c: () => setComparing(!state.comparing), k: colorize, f: fit, 0: fit, 1: actualSize,
      "+": () => zoomAt(1.25), "=": () => zoomAt(1.25), "-": () => zoomAt(0.8), o: () => pick(el.photoFile),
      m: () => state.doc && pick(el.maskFile), x: clearMask, delete: clearMask, backspace: clearMask,
      "?": () => btn["help"].onclick(), escape: () => { el.shortcuts.hidden = true; setComparing(false); },
    };
    if (actions[key]) { e.preventDefault(); actions[key](); }
  });
  window.addEventListener("keyup", (e) => {
    if (e.key === " ") { state.space = false; el.viewport.classList.remove("can-pan"); }
  });

  // ---------- start: the methods come from the server ----------
  async function loadMethods() {
    try {
      const response = await fetch("/api/methods");
      if (!response.ok) throw new Error(await errorOf(response));
      const body = await response.json();
      state.methods = body.methods;
      state.limits = body.limits;
      state.canColorize = !!body.colorize;
      if (!state.canColorize) {
        btn["colorize"].title = `Colourise: not offered by this server (${(body.unavailable || {}).colorize || "no model"})`;
      }
      el.method.replaceChildren(...body.methods.map((m) => {
        state.labels[m.name] = m.label;
        const option = new Option(m.label, m.name, m.name === body.default, m.name === body.default);
        return option;
      }));
      updateButtons();
    } catch (err) {
      fail(`Cannot reach the inpaint server: ${err.message}`);
    }
  }

  // For scripts and the browser test: the current photo as a data: URL (the server's PNG after a fill).
  window.inpaint = {
    state,
    photoDataURL: () => new Promise((resolve, reject) => {
      if (!state.doc) { resolve(null); return; }
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(state.doc.photo.blob);
    }),
  };

  setTool("brush");
  updateButtons();
  loadMethods();
})();
