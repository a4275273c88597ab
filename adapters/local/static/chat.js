// The local web chat: one WebSocket per tab, server-rendered HTML fragments, no build step.

// On a phone the sidebar (people and channels) is a drawer: the ☰ button, the backdrop and Escape.
(() => {
  "use strict";
  const button = document.getElementById("menu-button");
  if (!button) return;
  const sidebar = document.getElementById("sidebar");
  function setOpen(open) {
    document.body.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", String(open));
    if (open) sidebar.querySelector("a, input")?.focus();
  }
  button.addEventListener("click", () => setOpen(!document.body.classList.contains("nav-open")));
  document.addEventListener("click", (event) => {
    const open = document.body.classList.contains("nav-open");
    if (open && !sidebar.contains(event.target) && !button.contains(event.target)) setOpen(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) setOpen(false);
  });
})();

(() => {
  "use strict";
  const chat = document.getElementById("chat");
  if (!chat) return;
  const log = document.getElementById("log");
  const status = document.getElementById("status");
  const composer = document.getElementById("composer");
  const input = document.getElementById("text");
  const modal = document.getElementById("modal");
  const modalCard = modal.querySelector(".modal-card");
  const threadBanner = document.getElementById("thread-banner");
  let socket = null;
  let threadId = null;
  let retry = 0;

  const zone = (() => {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (_) { return ""; }
  })();

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function connect() {
    const params = new URLSearchParams({ as: chat.dataset.as, name: chat.dataset.name, tz: zone });
    if (chat.dataset.channel) params.set("channel", chat.dataset.channel);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/local/ws?${params}`);
    setStatus("connecting", "connecting…");
    socket.addEventListener("open", () => { retry = 0; setStatus("connected", "connected"); });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (_) { return; }
      receive(frame);
    });
    socket.addEventListener("close", () => {
      setStatus("offline", "reconnecting…");
      retry = Math.min(retry + 1, 4);  // at most 4 s between tries: a restart is back soon
      setTimeout(connect, 250 * 2 ** retry);
    });
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      showError("Not connected yet; trying again in a moment.");
      return false;
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html;  // HTML rendered and escaped by the server
    return template.content.firstElementChild;
  }

  function placeEntry(entry) {
    const node = fragment(entry.html);
    const existing = log.querySelector(`[data-id="${CSS.escape(entry.id)}"]`);
    if (existing) {
      const thread = existing.querySelector(":scope > .thread");
      node.querySelector(":scope > .thread").replaceWith(thread);
      existing.replaceWith(node);
      node.classList.add("updated");
      return;
    }
    const parent = entry.thread_id && log.querySelector(`[data-id="${CSS.escape(entry.thread_id)}"]`);
    if (parent) {
      parent.querySelector(":scope > .thread").appendChild(node);
    } else {
      log.appendChild(node);
    }
    node.scrollIntoView({ block: "end" });
  }

  function receive(frame) {
    switch (frame.type) {
      case "history":
        log.replaceChildren();
        frame.entries.forEach(placeEntry);
        break;
      case "entry":
        placeEntry(frame);
        break;
      case "form":
        openForm(frame.html);
        break;
      case "form_close":
        closeForm();
        break;
      case "error":
        showError(frame.text);
        break;
    }
  }

  function showError(text) {
    const note = document.createElement("div");
    note.className = "bubble from-bot ephemeral error-note";
    note.setAttribute("role", "alert");
    note.textContent = text;
    log.appendChild(note);
    note.scrollIntoView({ block: "end" });
  }

  function openForm(html) {
    modalCard.replaceChildren(fragment(html));
    modal.hidden = false;
    const invalid = modalCard.querySelector(".f-invalid input, .f-invalid textarea, .f-invalid select");
    (invalid || modalCard.querySelector("input, textarea, select"))?.focus();
  }

  function closeForm() {
    modal.hidden = true;
    modalCard.replaceChildren();
    input.focus();
  }

  function setThread(id) {
    threadId = id;
    threadBanner.hidden = !id;
    if (id) input.focus();
  }

  // The composer is a textarea, so pasted and typed line breaks travel as they are: Enter sends,
  // Shift+Enter (or Enter while an input method is composing) is a new line. It grows with its text.
  function fit() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight + 2, 200)}px`;
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (send({ type: "say", text, thread_id: threadId })) {
      input.value = "";
      fit();
      setThread(null);
    }
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  input.addEventListener("input", fit);

  log.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action-id]");
    if (button) {
      const message = button.closest("[data-id]");
      send({
        type: "click",
        action_id: button.dataset.actionId,
        value: button.dataset.value || "",
        message_id: message ? message.dataset.id : null,
      });
      return;
    }
    const reply = event.target.closest("button.thread-reply");
    if (reply) setThread(reply.closest("[data-id]").dataset.id);
  });

  document.getElementById("thread-cancel").addEventListener("click", () => setThread(null));

  modalCard.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const values = {};
    new FormData(form).forEach((value, key) => { values[key] = String(value); });
    send({ type: "submit", form_id: form.dataset.formId, values });
  });

  modalCard.addEventListener("click", (event) => {
    if (event.target.closest(".f-cancel")) send({ type: "cancel_form" }) || closeForm();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !modal.hidden) send({ type: "cancel_form" }) || closeForm();
  });

  connect();
})();
