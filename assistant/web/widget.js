/*
 * Hip pain support widget — one tag adds a launcher button and a chat panel to any page:
 *
 *   <script src="https://HOST/widget.js" data-title="Hip pain help" async></script>
 *
 * Plain JS, no build step. Everything lives in a Shadow DOM, so the host page's CSS cannot reach in and
 * the widget's CSS cannot leak out. It talks to the API of the origin it was loaded from (that page's
 * origin must be in HIP_ALLOWED_ORIGINS). Message data is only ever set with textContent, never as HTML.
 * The conversation is kept for the browser tab (sessionStorage). The empty state offers the chat page's example
 * questions, and each answer gets 👍/👎, stored with the page's votes (POST /api/feedback). Keyboard: Tab reaches the
 * launcher, opening focuses the question box, Enter sends, Escape closes and returns to the launcher.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  if (!script || !script.src || document.querySelector("hip-pain-widget")) return;

  const API = new URL(script.src, document.baseURI).origin;
  const TITLE = (script.getAttribute("data-title") || "Hip pain help").slice(0, 80);
  const STORE_KEY = "hip-pain-widget:" + API;
  const MAX_CHARS = 2000;
  const MAX_KEPT = 40; // messages remembered for the tab
  // What the widget shares with the chat page, written in by widget.py as it serves this file.
  const SERVED = {"examples": [], "feedback": false};
  const DISCLAIMER = "Answers quote one Hinge Health article on hip pain after running. " +
    "General information, not medical advice — if you are worried, see a doctor.";

  const CSS = `
    .root { all: initial; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
            color: #101828; }
    .root *, .root *::before, .root *::after { box-sizing: border-box; }
    button, textarea { font: inherit; color: inherit; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; display: inline-flex;
                align-items: center; gap: 8px; height: 48px; padding: 0 18px; border: 0; border-radius: 24px;
                background: #1d4ed8; color: #ffffff; font-size: 15px; font-weight: 600; cursor: pointer;
                box-shadow: 0 4px 14px rgba(16, 24, 40, .25); }
    .launcher:focus-visible, .panel button:focus-visible, textarea:focus-visible, a:focus-visible {
                outline: 3px solid #f79009; outline-offset: 2px; }
    .panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; display: flex;
             flex-direction: column; width: min(390px, calc(100vw - 40px)); height: min(580px, calc(100vh - 100px));
             background: #ffffff; border: 1px solid #d0d5dd; border-radius: 12px; overflow: hidden;
             box-shadow: 0 12px 32px rgba(16, 24, 40, .25); }
    .panel[hidden] { display: none; }
    header { display: flex; align-items: center; gap: 6px; padding: 10px 12px; background: #1d4ed8;
             color: #ffffff; }
    h2 { flex: 1; margin: 0; font-size: 16px; font-weight: 600; }
    header button { border: 1px solid rgba(255, 255, 255, .6); background: transparent; color: #ffffff;
                    border-radius: 6px; padding: 2px 8px; cursor: pointer; font-size: 13px; }
    .disclaimer { margin: 0; padding: 6px 12px; font-size: 12px; color: #475467; background: #f9fafb;
                  border-bottom: 1px solid #eaecf0; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
    .msg { max-width: 92%; padding: 8px 10px; border-radius: 10px; overflow-wrap: anywhere; }
    .msg p { margin: 0; white-space: pre-wrap; }
    .user { align-self: flex-end; background: #1d4ed8; color: #ffffff; }
    .bot { align-self: flex-start; background: #f2f4f7; }
    .error { align-self: flex-start; background: #fffaeb; color: #7a2e0e; border-left: 4px solid #dc6803; }
    .pending { color: #667085; font-style: italic; }
    .banner { margin: 0 0 8px 0; padding: 8px 10px; border: 2px solid #b42318; border-radius: 8px;
              background: #fef3f2; color: #7a271a; }
    .banner strong { display: block; font-size: 15px; margin-bottom: 2px; }
    .declined-note { margin: 0 0 6px 0; padding: 6px 8px; border-left: 4px solid #667085; background: #ffffff; }
    .sources { margin-top: 8px; }
    .sources h3 { margin: 0 0 4px 0; font-size: 12px; text-transform: uppercase; letter-spacing: .04em;
                  color: #475467; }
    .sources ol { list-style: none; margin: 0; padding: 0; }
    .source { margin: 0 0 6px 0; padding: 6px 8px; background: #ffffff; border: 1px solid #d0d5dd;
              border-radius: 8px; font-size: 13px; }
    .num { display: inline-block; min-width: 20px; margin-right: 6px; border-radius: 4px; text-align: center;
           background: #1d4ed8; color: #ffffff; font-weight: 600; }
    .section { font-weight: 600; }
    blockquote { margin: 4px 0 0 0; padding: 0 0 0 8px; border-left: 3px solid #fde68a; color: #344054;
                 white-space: pre-wrap; }
    .refs a { color: #1d4ed8; }
    form { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #eaecf0; }
    textarea { flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 8px; border: 1px solid #98a2b3;
               border-radius: 8px; background: #ffffff; font-size: 14px; }
    .send { border: 0; border-radius: 8px; padding: 0 14px; background: #1d4ed8; color: #ffffff; font-weight: 600;
            cursor: pointer; }
    .send:disabled { opacity: .6; cursor: progress; }
    .examples { padding: 12px 12px 0 12px; }
    .examples[hidden] { display: none; }
    .examples p { margin: 0 0 6px 0; color: #475467; font-size: 13px; }
    .example { display: block; width: 100%; margin: 0 0 6px 0; padding: 7px 10px; text-align: left;
               border: 1px solid #b2ccff; border-radius: 8px; background: #eff4ff; color: #1d4ed8; cursor: pointer; }
    .example:hover { background: #d1e0ff; }
    .vote { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 8px; }
    .vote button { display: inline-flex; border: 1px solid #d0d5dd; border-radius: 6px; padding: 3px 8px;
                   background: #ffffff; color: #475467; cursor: pointer; }
    .vote button[aria-pressed="true"] { border-color: #1d4ed8; background: #d1e0ff; color: #1d4ed8; }
    .ack { font-size: 12px; color: #067647; }
    .ack.warn { color: #b54708; }
    .sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden;
               clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
  `;

  // -- tiny DOM helper: text only, never HTML --------------------------------------------------------------------
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };

  // Icons are drawn, not emoji: a machine without an emoji font would show empty boxes.
  function icon(d, size = 20, rotate = 0) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    if (rotate) svg.setAttribute("transform", `rotate(${rotate})`);
    const path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", d);
    svg.append(path);
    return svg;
  }
  const chatIcon = () => icon("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  const THUMB = "M2 10h4v11H2zM8 10l4-8c1.7 0 2.6 1.2 2.2 2.8L13.5 9H20a2 2 0 0 1 2 2.3l-1.4 8a2 2 0 0 1-2 1.7H8z";

  // -- state kept for the tab ------------------------------------------------------------------------------------
  const load = () => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.messages)) return saved;
    } catch (_) { /* storage blocked or corrupt: start afresh */ }
    return { open: false, messages: [] };
  };
  const state = load();
  const save = () => {
    state.messages = state.messages.slice(-MAX_KEPT);
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (_) { /* storage blocked */ }
  };

  // Only what the widget shows is kept: the answer's text and its citations with their quotes.
  const compact = (answer) => ({
    question: answer.question, status: answer.status, text: answer.text, message: answer.message,
    emergency: (answer.red_flags || []).some((f) => f.tier === "emergency"),
    citations: (answer.citations || []).map((c) => ({
      number: c.number, heading_path: c.heading_path, quote: c.quote,
      references: (c.references || []).map((r) => ({ number: r.number, title: r.title, year: r.year, link: r.link })),
    })),
  });

  // -- the shadow tree -------------------------------------------------------------------------------------------
  const host = document.createElement("hip-pain-widget");
  host.style.cssText = "all: initial !important; display: block !important; position: static !important;";
  const shadow = host.attachShadow({ mode: "open" });
  const style = el("style", { text: CSS });

  const launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false",
                                  "aria-controls": "panel", "aria-label": "Open chat: " + TITLE },
                      chatIcon(), el("span", { text: TITLE }));
  const title = el("h2", { id: "title", text: TITLE });
  const newButton = el("button", { type: "button", class: "new", "aria-label": "Start a new conversation",
                                   text: "New" });
  const closeButton = el("button", { type: "button", class: "close", "aria-label": "Close chat", text: "✕" });
  const examples = el("div", { class: "examples", role: "group", "aria-labelledby": "examples-title" },
                      el("p", { id: "examples-title", text: "Try one of these:" }));
  for (const question of SERVED.examples) {
    const button = el("button", { type: "button", class: "example", "aria-label": "Ask: " + question,
                                  text: question });
    button.addEventListener("click", () => {
      if (busy) return;
      ask(question);
      input.focus(); // the examples are gone now: keep the keyboard in the panel
    });
    examples.append(button);
  }
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const input = el("textarea", { id: "question", rows: "2", maxlength: String(MAX_CHARS),
                                 placeholder: "Ask about hip pain after running…" });
  const sendButton = el("button", { type: "submit", class: "send", text: "Send" });
  const form = el("form", { "aria-label": "Ask a question" },
                  el("label", { for: "question", class: "sr-only", text: "Your question" }), input, sendButton);
  const panel = el("section", { class: "panel", id: "panel", role: "dialog", "aria-labelledby": "title" },
                   el("header", {}, title, newButton, closeButton),
                   el("p", { class: "disclaimer", text: DISCLAIMER }), examples, log, form);
  panel.hidden = true;
  shadow.append(style, el("div", { class: "root" }, launcher, panel));

  // -- rendering -------------------------------------------------------------------------------------------------
  const sourcesNode = (citations) => {
    const list = el("ol");
    for (const c of citations) {
      const path = c.heading_path.length > 1 ? c.heading_path.slice(1) : c.heading_path;
      const refs = el("div", { class: "refs" });
      for (const ref of c.references || []) {
        if (ref.link && /^https?:\/\//.test(ref.link)) {
          refs.append(el("a", { href: ref.link, target: "_blank", rel: "noopener noreferrer",
                                text: `Study [${ref.number}]: ${ref.title} (${ref.year})` }), " ");
        }
      }
      list.append(el("li", { class: "source", "data-source": String(c.number) },
                     el("span", { class: "num", text: String(c.number) }),
                     el("span", { class: "section", text: path.join(" › ") }),
                     el("blockquote", { text: "“" + c.quote.replace(/\n{2,}/g, "\n") + "”" }),
                     refs.childNodes.length ? refs : null));
    }
    return el("div", { class: "sources" }, el("h3", { text: "Sources" }), list);
  };

  const answerNode = (answer) => {
    const node = el("div", { class: "msg bot " + answer.status.replace("_", "-") });
    let body = answer.text || "";
    if (answer.message && body.startsWith(answer.message)) body = body.slice(answer.message.length).trim();
    if (answer.status === "red_flag") {
      node.append(el("div", { class: "banner", role: "alert" },
                     el("strong", { text: "⚠️ " + (answer.emergency ? "Seek care now" : "Please see a doctor") }),
                     el("span", { text: answer.message })));
    } else if (answer.status === "declined") {
      node.append(el("p", { class: "declined-note", text: answer.message }));
    }
    if (body) node.append(el("p", { class: "text", text: body }));
    if (answer.citations && answer.citations.length) node.append(sourcesNode(answer.citations));
    return node;
  };

  // 👍/👎 under an answer: toggle buttons (aria-pressed), and a status line that says whether the vote was saved.
  const voteNode = (message) => {
    const bar = el("div", { class: "vote", role: "group", "aria-label": "Rate this answer" });
    const status = el("span", { class: "ack", role: "status" });
    const buttons = {};
    for (const [vote, turn, label] of [["like", 0, "Like this answer"], ["dislike", 180, "Dislike this answer"]]) {
      buttons[vote] = el("button", { type: "button", class: vote, "aria-label": label,
                                     "aria-pressed": String(message.vote === vote) }, icon(THUMB, 16, turn));
      buttons[vote].addEventListener("click", () => sendVote(message, vote, buttons, status));
      bar.append(buttons[vote]);
    }
    bar.append(status);
    return bar;
  };

  const messageNode = (message) => {
    if (message.role === "user") return el("div", { class: "msg user" }, el("p", { text: message.text }));
    if (message.role === "error") return el("div", { class: "msg error", role: "alert" },
                                            el("p", { text: message.text }));
    const node = answerNode(message.answer);
    if (SERVED.feedback && message.answer.question) node.append(voteNode(message));
    return node;
  };

  const scrollDown = () => { log.scrollTop = log.scrollHeight; };
  const show = (message) => { log.append(messageNode(message)); scrollDown(); };
  const showExamples = () => { examples.hidden = state.messages.length > 0 || !SERVED.examples.length; };

  // -- talking to the API ----------------------------------------------------------------------------------------
  const historyForApi = (messages = state.messages) => messages.filter((m) => m.role !== "error").slice(-20).map(
    (m) => m.role === "user" ? { role: "user", content: m.text } : { role: "assistant", content: m.answer.text });

  const errorText = async (response) => {
    let text = "";
    try { text = await response.text(); } catch (_) { /* no body */ }
    try {
      const body = JSON.parse(text);
      if (typeof body.detail === "string") return body.detail;
      if (Array.isArray(body.detail) && body.detail[0] && body.detail[0].msg) return body.detail[0].msg;
    } catch (_) { /* not JSON */ }
    const said = text && text.length < 200 ? ` (${text.trim()})` : "";
    return `The assistant answered ${response.status}${said}. Please try again in a moment.`;
  };

  // Server-sent events over fetch: call onEvent(name, data) for each complete event in the stream.
  const readEvents = async (response, onEvent) => {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const flush = (block) => {
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        flush(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
      }
    }
    if (buffer.trim()) flush(buffer);
  };

  let busy = false;
  const ask = async (question) => {
    const history = historyForApi();
    const userMessage = { role: "user", text: question };
    state.messages.push(userMessage);
    save();
    showExamples();
    show(userMessage);

    const live = el("div", { class: "msg bot" }, el("p", { class: "pending", text: "Looking it up in the article…" }));
    log.append(live);
    scrollDown();
    busy = true;
    sendButton.disabled = true;
    log.setAttribute("aria-busy", "true");
    let final = null;
    try {
      const response = await fetch(API + "/api/chat/stream", {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ message: question, history, session_id: state.session_id }),
      });
      if (!response.ok) throw new Error(await errorText(response));
      const text = el("p", { class: "text" });
      await readEvents(response, (name, data) => {
        if (name === "sentence") {
          if (!text.isConnected) live.replaceChildren(text);
          text.textContent += (data.is_item ? "\n- " : (text.textContent ? " " : "")) + data.text;
          scrollDown();
        } else if (name === "answer") {
          final = compact(data);
        }
      });
      if (!final) throw new Error("The answer was cut off. Please try again.");
      const answerMessage = { role: "assistant", answer: final };
      state.messages.push(answerMessage);
      live.replaceWith(messageNode(answerMessage));
    } catch (error) {
      const message = error instanceof TypeError
        ? "Could not reach the assistant. Check your connection and try again."
        : String(error.message || error);
      const failed = { role: "error", text: message };
      state.messages.push(failed);
      live.replaceWith(messageNode(failed));
    } finally {
      busy = false;
      sendButton.disabled = false;
      log.removeAttribute("aria-busy");
      save();
      scrollDown();
    }
  };

  // The server answers the same question again and stores its own answer (so a vote cannot carry made-up text);
  // it checks that this is the answer that was shown. 202: not saved yet, but kept and saved with the next vote.
  const sendVote = async (message, vote, buttons, status) => {
    if (message.vote === vote || status.dataset.saving) return;
    const before = state.messages.slice(0, state.messages.indexOf(message));
    if (before.length && before[before.length - 1].role === "user") before.pop(); // the question itself
    status.dataset.saving = "1";
    status.className = "ack";
    status.textContent = "Saving your vote…";
    try {
      const response = await fetch(API + "/api/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ vote, message: message.answer.question, history: historyForApi(before),
                               answer_text: message.answer.text, session_id: state.session_id, source: "widget" }),
      });
      if (response.status !== 200 && response.status !== 202) throw new Error(await errorText(response));
      message.vote = vote;
      save();
      for (const [name, button] of Object.entries(buttons)) button.setAttribute("aria-pressed", String(name === vote));
      if (response.status === 200) {
        status.textContent = "Thanks — your feedback was saved.";
      } else {
        status.classList.add("warn");
        status.textContent = (await response.json()).detail;
      }
    } catch (error) {
      status.classList.add("warn");
      status.textContent = error instanceof TypeError
        ? "Could not reach the assistant, so your vote was not saved. Please try again."
        : String(error.message || error);
    } finally {
      delete status.dataset.saving;
    }
  };

  // -- behaviour -------------------------------------------------------------------------------------------------
  const setOpen = (open, { focus = true } = {}) => {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", (open ? "Close chat: " : "Open chat: ") + TITLE);
    state.open = open;
    save();
    if (focus) (open ? input : launcher).focus();
  };

  launcher.addEventListener("click", () => setOpen(panel.hidden));
  closeButton.addEventListener("click", () => setOpen(false));
  newButton.addEventListener("click", () => {
    state.messages = [];
    state.session_id = newSessionId();
    log.replaceChildren();
    save();
    showExamples();
    input.focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      setOpen(false);
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    ask(question);
  });

  function newSessionId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  if (!state.session_id) state.session_id = newSessionId();
  for (const message of state.messages) log.append(messageNode(message));
  showExamples();
  setOpen(Boolean(state.open), { focus: false });

  const attach = () => document.body.append(host);
  if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
})();
