"use strict";
// The card browser: reads the catalog embedded in the page, renders one card's facts,
// a parameter form from its parameter_schema, and the Python code for the chosen values.
// No provider knowledge lives here: everything comes from the cards.
(function () {
  const catalog = JSON.parse(document.getElementById("catalog").textContent);
  const byId = (id) => document.getElementById(id);
  const FAMILY_LABELS = { chat: "Chat", embedding: "Embedding", tts: "Text to speech", realtime: "Realtime" };
  const KIND_LABELS = {
    "application/x-thinking": "thinking",
    "application/x-embedding": "embedding vector",
    "application/pdf": "PDF",
  };
  const state = { provider: null, family: null, cls: null, entry: null, values: {}, errors: {} };
  // "gpt-4.1" before "gpt-4o", "qwen3-max" after "qwen-turbo": numbers compared as numbers
  const natural = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

  // ------------------------------------------------------------------ picking
  function provider() {
    return catalog.providers.find((p) => p.id === state.provider);
  }

  function classesOf(entries) {
    return [...new Set(entries.map((e) => e.model_class))];
  }

  function visibleEntries() {
    const showSunset = byId("show-sunset").checked;
    const entries = (provider().families[state.family] || []).filter((e) => e.model_class === state.cls);
    return entries
      .filter((e) => showSunset || e.card.status !== "sunset" || e === state.entry)
      .sort((a, b) => natural.compare(a.card.name, b.card.name));
  }

  function fillSelect(select, options, chosen) {
    select.replaceChildren(
      ...options.map(([value, text]) => {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = text;
        option.selected = value === chosen;
        return option;
      })
    );
  }

  function select(providerId, family, modelName, cls) {
    const p = catalog.providers.find((x) => x.id === providerId) || catalog.providers[0];
    state.provider = p.id;
    const families = Object.keys(p.families);
    state.family = families.includes(family) ? family : families[0];
    const all = p.families[state.family];
    const classes = classesOf(all);
    state.cls = classes.includes(cls) ? cls : classes[0];
    const inClass = all.filter((e) => e.model_class === state.cls);
    const wanted = inClass.find((e) => e.card.name === modelName);
    if (wanted && wanted.card.status === "sunset") byId("show-sunset").checked = true;
    state.entry = null;
    const shown = visibleEntries();
    state.entry = wanted || shown[0] || inClass[0];
    fillSelect(byId("provider"), catalog.providers.map((x) => [x.id, x.label]), state.provider);
    fillSelect(byId("family"), families.map((f) => [f, FAMILY_LABELS[f] || f]), state.family);
    // A family served by several classes (OpenAI: Chat Completions and Responses) picks one.
    byId("class-picker").hidden = classes.length < 2;
    fillSelect(byId("class"), classes.map((c) => [c, c]), state.cls);
    fillSelect(
      byId("model"),
      visibleEntries().map((e) => [e.card.name, modelText(e.card)]),
      state.entry.card.name
    );
    const tail = classes.length > 1 ? `/${state.cls}` : "";
    const hash = `#${state.provider}/${state.family}/${state.entry.card.name}${tail}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
    state.values = {};
    state.errors = {};
    renderCard();
    renderForm();
    renderCode();
  }

  function modelText(card) {
    return card.status === "active" ? `${card.label} (${card.name})` : `${card.label} (${card.name}) — ${card.status}`;
  }

  // -------------------------------------------------------------------- facts
  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function number(n) {
    return typeof n === "number" ? n.toLocaleString("en-US") : "—";
  }

  function capabilities(card) {
    const caps = [];
    const inputs = card.input_types;
    if (card.output_types.includes("application/x-thinking")) caps.push("Thinking");
    if (inputs.some((t) => t.startsWith("image/"))) caps.push("Vision");
    if (inputs.some((t) => t.startsWith("video/"))) caps.push("Video input");
    if (inputs.some((t) => t.startsWith("audio/"))) caps.push("Audio input");
    if (inputs.includes("application/pdf")) caps.push("PDF input");
    if (card.output_types.some((t) => t.startsWith("audio/"))) caps.push("Speech output");
    if (card.output_types.some((t) => t.startsWith("image/"))) caps.push("Image output");
    if (card.type === "embedding_model") caps.push("Embeddings");
    if (card.realtime) caps.push("Realtime (streamed text in)");
    return caps;
  }

  function chips(values, cls) {
    return element("div", { class: "chips" }, values.map((v) => element("span", { class: `chip ${cls || ""}`, text: v })));
  }

  function renderCard() {
    const entry = state.entry;
    const card = entry.card;
    byId("card-title").textContent = card.label;
    const facts = [
      ["Model", element("code", { text: card.name })],
      ["Status", element("span", { class: `badge ${card.status}`, text: card.status })],
      ["Class", element("code", { text: entry.model_class })],
    ];
    if ("context_size" in card) facts.push(["Context", `${number(card.context_size)} tokens`]);
    if ("output_size" in card) facts.push(["Max output", `${number(card.output_size)} tokens`]);
    if (card.voices) facts.push(["Voices", `${card.voices.length}`]);
    if (card.prices) {
      const per = (v) => `$${Number(v).toLocaleString("en-US", { maximumFractionDigits: 4 })}`;
      const parts = [`${per(card.prices.input)} in`, `${per(card.prices.output)} out`];
      if (card.prices.cache_read != null) parts.push(`${per(card.prices.cache_read)} cached in`);
      facts.push(["Price", `${parts.join(" · ")} per 1M tokens`]);
    }
    if (card.batch_limits && Object.keys(card.batch_limits).length) {
      facts.push(["Per request", Object.entries(card.batch_limits).map(([k, v]) => `${v} ${k}`).join(", ")]);
    }
    byId("facts").replaceChildren(...facts.flatMap(([k, v]) => [element("dt", { text: k }), element("dd", {}, [v])]));
    byId("capabilities").replaceChildren(
      element("div", { class: "note", text: "Capabilities" }),
      chips(capabilities(card), "cap"),
      element("div", { class: "note", text: "Accepts" }),
      chips(card.input_types.map((t) => KIND_LABELS[t] || t)),
      element("div", { class: "note", text: "Produces" }),
      chips(card.output_types.map((t) => KIND_LABELS[t] || t))
    );
    const source = byId("source");
    source.replaceChildren("Source: ");
    for (const part of (card.source || "not recorded").split(/(https?:\/\/[^\s;)]+)/)) {
      source.append(part.startsWith("http") ? element("a", { href: part, text: part, rel: "noreferrer" }) : part);
    }
  }

  // --------------------------------------------------------------------- form
  function rangeHint(prop) {
    const parts = [];
    const low = "exclusiveMinimum" in prop ? `> ${prop.exclusiveMinimum}` : "minimum" in prop ? `≥ ${prop.minimum}` : null;
    const high = "exclusiveMaximum" in prop ? `< ${prop.exclusiveMaximum}` : "maximum" in prop ? `≤ ${prop.maximum}` : null;
    if (low || high) parts.push([low, high].filter(Boolean).join(" and "));
    if ("maxItems" in prop) parts.push(`at most ${prop.maxItems} items`);
    if ("default" in prop) parts.push(`default ${JSON.stringify(prop.default)}`);
    if (prop.description) parts.push(prop.description);
    return parts.join(" · ");
  }

  function control(name, prop) {
    const id = `param-${name}`;
    if (prop.type === "boolean") {
      const box = element("input", { type: "checkbox", role: "switch", id, "data-param": name });
      box.checked = prop.default === true;
      box.addEventListener("change", () => update(name, prop, box.checked));
      return element("span", { class: "switch" }, [box, element("span", { text: box.checked ? "on" : "off" })]);
    }
    if (Array.isArray(prop.enum)) {
      const dropdown = element("select", { id, "data-param": name });
      const first = "default" in prop ? `default (${prop.default})` : "provider default";
      fillSelect(dropdown, [["", first], ...prop.enum.map((v) => [JSON.stringify(v), String(v)])], "");
      dropdown.addEventListener("change", () =>
        update(name, prop, dropdown.value === "" ? undefined : JSON.parse(dropdown.value))
      );
      return dropdown;
    }
    if (prop.type === "number" || prop.type === "integer") {
      const attributes = { type: "number", id, "data-param": name, step: prop.type === "integer" ? "1" : "any" };
      if ("minimum" in prop) attributes.min = prop.minimum;
      if ("maximum" in prop) attributes.max = prop.maximum;
      if ("default" in prop) attributes.placeholder = String(prop.default);
      const input = element("input", attributes);
      input.addEventListener("input", () => update(name, prop, input.value === "" ? undefined : Number(input.value)));
      return input;
    }
    if (prop.type === "array" && prop.items && prop.items.type === "string") {
      const input = element("input", { type: "text", id, "data-param": name, placeholder: "comma-separated" });
      input.addEventListener("input", () =>
        update(name, prop, input.value.trim() === "" ? undefined : input.value.split(",").map((s) => s.trim()).filter(Boolean))
      );
      return input;
    }
    if (prop.type === "string") {
      const input = element("input", { type: "text", id, "data-param": name, placeholder: prop.default || "" });
      input.addEventListener("input", () => update(name, prop, input.value === "" ? undefined : input.value));
      return input;
    }
    const area = element("textarea", { id, "data-param": name, rows: "2", placeholder: "JSON" });
    area.addEventListener("input", () => {
      try {
        update(name, prop, area.value.trim() === "" ? undefined : JSON.parse(area.value));
      } catch (err) {
        state.errors[name] = "not valid JSON";
        showError(name);
        renderCode();
      }
    });
    return area;
  }

  function problem(value, prop) {
    if (value === undefined) return null;
    if (prop.type === "integer" && !Number.isInteger(value)) return "must be a whole number";
    if (typeof value === "number") {
      if (Number.isNaN(value)) return "must be a number";
      if ("minimum" in prop && value < prop.minimum) return `must be ≥ ${prop.minimum}`;
      if ("exclusiveMinimum" in prop && value <= prop.exclusiveMinimum) return `must be > ${prop.exclusiveMinimum}`;
      if ("maximum" in prop && value > prop.maximum) return `must be ≤ ${prop.maximum}`;
      if ("exclusiveMaximum" in prop && value >= prop.exclusiveMaximum) return `must be < ${prop.exclusiveMaximum}`;
    }
    if (Array.isArray(value) && "maxItems" in prop && value.length > prop.maxItems) return `at most ${prop.maxItems} items`;
    return null;
  }

  function update(name, prop, value) {
    const same = value === undefined || JSON.stringify(value) === JSON.stringify(prop.default ?? (prop.type === "boolean" ? false : undefined));
    if (same) delete state.values[name];
    else state.values[name] = value;
    const error = problem(value, prop);
    if (error) state.errors[name] = error;
    else delete state.errors[name];
    const field = document.querySelector(`.field[data-field="${name}"]`);
    const label = field.querySelector(".switch span");
    if (label) label.textContent = value ? "on" : "off";
    showError(name);
    renderCode();
  }

  function showError(name) {
    const field = document.querySelector(`.field[data-field="${name}"]`);
    const input = field.querySelector("[data-param]");
    const message = field.querySelector(".error");
    input.setAttribute("aria-invalid", state.errors[name] ? "true" : "false");
    message.textContent = state.errors[name] || "";
  }

  function renderForm() {
    const card = state.entry.card;
    const properties = (card.parameter_schema && card.parameter_schema.properties) || {};
    const fields = [];
    const hidden = [];
    for (const [name, prop] of Object.entries(properties)) {
      if (prop.hidden) {
        hidden.push(name);
        continue;
      }
      fields.push(
        element("div", { class: "field", "data-field": name }, [
          element("label", { for: `param-${name}`, title: name, text: prop.title || name }),
          control(name, prop),
          element("div", { class: "hint", text: rangeHint(prop) }),
          element("div", { class: "error", role: "alert" }),
        ])
      );
    }
    byId("form").replaceChildren(...fields);
    const removed = Object.entries(card.parameters_overrides || {}).filter(([, v]) => v === null).map(([k]) => k);
    const notes = [];
    if (hidden.length) notes.push(`Hidden from the form (still accepted in code): ${hidden.join(", ")}.`);
    if (removed.length) notes.push(`Not accepted by this model: ${removed.join(", ")}.`);
    byId("form-note").textContent = notes.join(" ");
  }

  // --------------------------------------------------------------------- code
  function py(value) {
    if (value === true) return "True";
    if (value === false) return "False";
    if (value === null || value === undefined) return "None";
    if (Array.isArray(value)) return `[${value.map(py).join(", ")}]`;
    if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(", ")}}`;
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  }

  function code() {
    const p = provider();
    const entry = state.entry;
    const cls = entry.model_class;
    const args = p.credential_args.map((a) => (a.env ? `${a.name}=os.environ[${JSON.stringify(a.env)}]` : `${a.name}="..."`));
    const lines = [];
    if (p.credential_args.some((a) => a.env)) lines.push("import os", "");
    lines.push(`from specwire.credential import ${p.credential}`, `from ${entry.import_from} import ${cls}`, "");
    const chosen = Object.entries(state.values).filter(([name]) => !state.errors[name]);
    const params = chosen.length
      ? `${cls}.Parameters(\n${chosen.map(([k, v]) => `        ${k}=${py(v)},`).join("\n")}\n    )`
      : `${cls}.Parameters()`;
    lines.push(
      `model = ${cls}(`,
      `    credential=${p.credential}(${args.join(", ")}),`,
      `    model=${JSON.stringify(entry.card.name)},`,
      `    parameters=${params},`,
      ")"
    );
    const errors = Object.entries(state.errors).map(([k, e]) => `# ${k} left out: ${e}`);
    return [...errors, ...(errors.length ? [""] : []), ...lines].join("\n");
  }

  function renderCode() {
    byId("code").textContent = code();
  }

  // ------------------------------------------------------------------ search
  function matches(query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    const found = [];
    for (const p of catalog.providers) {
      for (const [family, entries] of Object.entries(p.families)) {
        for (const e of entries) {
          const text = `${p.id} ${p.label} ${family} ${e.model_class} ${e.card.name} ${e.card.label}`.toLowerCase();
          if (words.every((w) => text.includes(w))) found.push([p, family, e]);
        }
      }
    }
    return found.sort((a, b) => natural.compare(a[2].card.name, b[2].card.name));
  }

  function renderResults() {
    const query = byId("search").value;
    const found = matches(query);
    const list = byId("results");
    list.hidden = query.trim() === "";
    const items = found.slice(0, 40).map(([p, family, e]) => {
      const button = element("button", { type: "button", "data-model": e.card.name }, [
        element("strong", { text: e.card.label }),
        ` ${e.card.name} · ${p.label} · ${FAMILY_LABELS[family] || family} · ${e.model_class}`,
      ]);
      button.addEventListener("click", () => {
        byId("search").value = "";
        renderResults();
        select(p.id, family, e.card.name, e.model_class);
      });
      return element("li", {}, [button]);
    });
    if (!found.length) items.push(element("li", { class: "note", text: "No model matches." }));
    else if (found.length > 40) items.push(element("li", { class: "note", text: `${found.length - 40} more: type more to narrow.` }));
    list.replaceChildren(...items);
  }

  // --------------------------------------------------------------- wiring
  byId("provider").addEventListener("change", (e) => select(e.target.value));
  byId("family").addEventListener("change", (e) => select(state.provider, e.target.value));
  byId("class").addEventListener("change", (e) => select(state.provider, state.family, state.entry.card.name, e.target.value));
  byId("model").addEventListener("change", (e) => select(state.provider, state.family, e.target.value, state.cls));
  byId("show-sunset").addEventListener("change", () => select(state.provider, state.family, state.entry.card.name, state.cls));
  byId("search").addEventListener("input", renderResults);
  byId("search").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const first = byId("results").querySelector("button");
    if (first) first.click();
  });
  byId("copy").addEventListener("click", () => {
    const text = code();
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
  });
  window.addEventListener("hashchange", () => select(...location.hash.slice(1).split("/")));

  // A small surface for tests and embedding pages.
  window.specwireBrowser = {
    select: (providerId, family, model, cls) => select(providerId, family, model, cls),
    search: (query) => {
      byId("search").value = query;
      renderResults();
      return Array.from(byId("results").querySelectorAll("button")).map((b) => b.dataset.model);
    },
    models: () => Array.from(byId("model").options).map((o) => o.value),
    fields: () => Array.from(document.querySelectorAll("[data-param]")).map((n) => n.dataset.param),
    options: (name) => Array.from(document.querySelectorAll(`select[data-param="${name}"] option`)).map((o) => o.textContent),
    code: () => code(),
    state: () => ({ provider: state.provider, family: state.family, cls: state.cls, model: state.entry.card.name, values: { ...state.values } }),
  };

  const [p, f, m, c] = location.hash.slice(1).split("/");
  select(p, f, m, c);
})();
