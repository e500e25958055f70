// The form rendered from its published definition: every question type, groups, repeats, relevance (hidden
// questions are shown again as soon as an earlier answer makes them relevant), photos per role, and the
// engine's errors placed next to the question they name.
import { readPhoto } from "./camera.js";
import { pruneAnswers, shownFor, validate } from "./forms.js";

const NUMERIC = { integer: "numeric", decimal: "decimal", area_mu: "decimal" };

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== undefined && value !== null) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** Render `definition` into `container`. `getFix()` gives the current geolocation fix for geopoint questions. */
export function createFormView(container, definition, { getFix, onChange = () => {} }) {
  const answers = {};
  const photos = []; // {sha256, role, blob, taken_at, file_name}

  const refresh = () => {
    const { paths } = shownFor(definition, answers);
    for (const node of container.querySelectorAll("[data-path]")) node.hidden = !paths.has(node.dataset.path);
    onChange();
  };

  function questionInput(question, target, path) {
    const set = (value) => {
      if (value === undefined) delete target[question.name];
      else target[question.name] = value;
      container.querySelector(`[data-path="${CSS.escape(path)}"] > .errors`)?.replaceChildren(); // answered: re-checked on save
      refresh();
    };
    const choices = definition.choices[question.choices] || [];
    if (question.type === "select_one") {
      return el("div", { class: "choices" }, ...choices.map((choice) => el("label", { class: "choice" },
        el("input", { type: "radio", name: path, value: choice.code, onchange: () => set(choice.code) }),
        el("span", {}, choice.label))));
    }
    if (question.type === "select_multiple") {
      const box = el("div", { class: "choices" });
      const read = () => [...box.querySelectorAll("input:checked")].map((input) => input.value);
      box.append(...choices.map((choice) => el("label", { class: "choice" },
        el("input", { type: "checkbox", name: path, value: choice.code, onchange: () => set(read()) }),
        el("span", {}, choice.label))));
      return box;
    }
    if (question.type in NUMERIC) {
      return el("input", { type: "text", inputmode: NUMERIC[question.type], name: path, oninput: (event) => {
        const text = event.target.value.trim();
        const number = Number(text);
        set(text === "" ? undefined : Number.isFinite(number) ? number : text); // not a number: the engine says so
      } });
    }
    if (question.type === "date") {
      return el("input", { type: "date", name: path, onchange: (event) => set(event.target.value || undefined) });
    }
    if (question.type === "geopoint") {
      const shown = el("span", { class: "fix" }, "尚未记录");
      return el("div", {}, el("button", { type: "button", class: "secondary", onclick: () => {
        const fix = getFix();
        if (!fix) {
          shown.textContent = "暂无定位,请到开阔处稍候";
          return;
        }
        set({ lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m });
        shown.textContent = `${fix.lat.toFixed(6)}, ${fix.lon.toFixed(6)} ±${Math.round(fix.accuracy_m)} 米`;
      } }, "记录当前位置"), shown);
    }
    return el("textarea", { name: path, rows: 2, oninput: (event) => set(event.target.value === "" ? undefined : event.target.value) });
  }

  function photoSection(question) {
    const list = el("div", { class: "photo-list" });
    const count = el("span", { class: "count" });
    const redraw = () => {
      const mine = photos.filter((p) => p.role === question.role);
      count.textContent = `已拍 ${mine.length} 张`;
      section?.querySelector(".errors").replaceChildren(); // re-checked on save
      for (const img of list.querySelectorAll("img")) URL.revokeObjectURL(img.src);
      list.replaceChildren(...mine.map((photo) => el("figure", {},
        el("img", { src: URL.createObjectURL(photo.blob), alt: question.label }),
        el("figcaption", {}, photo.taken_at_source === "exif" ? `拍摄于 ${photo.taken_at.slice(0, 16).replace("T", " ")}` : "无拍摄时间"),
        el("button", { type: "button", class: "link", onclick: () => {
          photos.splice(photos.indexOf(photo), 1);
          redraw();
        } }, "删除"))));
      onChange();
    };
    const input = el("input", { type: "file", accept: "image/*", capture: "environment", multiple: true,
      "data-role": question.role, onchange: async () => {
        for (const file of input.files) photos.push(await readPhoto(file, question.role));
        input.value = "";
        redraw();
      } });
    let section = null;
    redraw();
    const limits = question.max_count != null ? `${question.min_count ?? 0}–${question.max_count} 张` : `至少 ${question.min_count ?? 0} 张`;
    section = el("div", { class: "question photo", "data-path": question.name },
      el("div", { class: "label" }, question.label, el("small", {}, ` (${limits})`)),
      el("label", { class: "camera" }, input, el("span", {}, "拍照")), count, list,
      el("div", { class: "errors" }));
    return section;
  }

  function renderNodes(nodes, target, prefix, parent) {
    for (const node of nodes) {
      const path = prefix + node.name;
      if (node.type === "group") {
        const box = el("fieldset", { class: "group", "data-path": path }, el("legend", {}, node.label));
        renderNodes(node.questions, target, prefix, box);
        parent.append(box);
      } else if (node.type === "repeat") {
        parent.append(repeatSection(node, target, path));
      } else if (node.type === "photo") {
        parent.append(photoSection(node));
      } else {
        parent.append(el("div", { class: "question", "data-path": path },
          el("div", { class: "label" }, node.label, node.required ? el("span", { class: "req" }, " *") : null),
          node.hint ? el("div", { class: "hint" }, node.hint) : null,
          questionInput(node, target, path), el("div", { class: "errors" })));
      }
    }
  }

  function repeatSection(repeat, target, path) {
    const itemsBox = el("div", { class: "items" });
    const drawItems = () => {
      itemsBox.replaceChildren();
      (target[repeat.name] || []).forEach((item, index) => {
        const box = el("div", { class: "item", "data-path": `${path}[${index}]` },
          el("div", { class: "item-head" }, `${repeat.label} ${index + 1}`, el("button", { type: "button", class: "link",
            onclick: () => {
              target[repeat.name].splice(index, 1);
              drawItems();
              refresh();
            } }, "删除此项")));
        renderNodes(repeat.questions, item, `${path}[${index}].`, box);
        restore(box, item);
        itemsBox.append(box);
      });
    };
    return el("div", { class: "question repeat", "data-path": path },
      el("div", { class: "label" }, repeat.label, repeat.required ? el("span", { class: "req" }, " *") : null),
      el("div", { class: "errors" }), itemsBox,
      el("button", { type: "button", class: "secondary", onclick: () => {
        (target[repeat.name] ??= []).push({});
        drawItems();
        refresh();
      } }, `添加${repeat.label}`));
  }

  /** Redrawn repeat items show the answers they already hold. */
  function restore(box, item) {
    for (const input of box.querySelectorAll("input[name], textarea[name]")) {
      const name = input.name.slice(input.name.lastIndexOf(".") + 1);
      const value = item[name];
      if (value === undefined) continue;
      if (input.type === "radio") input.checked = value === input.value;
      else if (input.type === "checkbox") input.checked = Array.isArray(value) && value.includes(input.value);
      else input.value = String(value);
    }
  }

  renderNodes(definition.questions, answers, "", container);
  refresh();

  return {
    photos,
    answers: () => pruneAnswers(definition, answers),
    /** The engine's errors for what is entered now, shown next to their questions; returns them. */
    check() {
      const errors = validate(definition, pruneAnswers(definition, answers), photos.map(({ sha256, role }) => ({ sha256, role })));
      for (const box of container.querySelectorAll(".errors")) box.replaceChildren();
      for (const error of errors) {
        const target = container.querySelector(`[data-path="${CSS.escape(error.field)}"] > .errors`);
        if (target) target.append(el("div", { class: "error", "data-code": error.code }, error.message));
      }
      return errors;
    },
  };
}
