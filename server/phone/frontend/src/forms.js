// The form engine on the phone: relevance and answer validation, a port of the Python engine in
// inspection_forms/ (expressions.py, schema.py, validation.py). Same walk, same error codes, same zh-CN
// messages, so an inspector hears about a problem in the field rather than after the next sync.
// tests/phone/test_form_parity.py runs this module under node and compares it with the Python engine.
// No DOM here: the module must run under node.

export const MESSAGES = {
  required: "「{label}」为必填项",
  not_a_choice: "「{label}」的选项不在可选范围内",
  duplicate_choice: "「{label}」包含重复的选项",
  out_of_range: "「{label}」应{bounds}",
  pattern_mismatch: "「{label}」的格式不正确",
  not_relevant: "「{label}」在当前回答下不应填写",
  too_few_photos: "「{label}」至少需要 {min_count} 张,当前 {count} 张",
  too_many_photos: "「{label}」最多 {max_count} 张,当前 {count} 张",
  unknown_field: "表单中没有「{label}」这一项",
  unknown_photo_role: "照片类型「{label}」不在表单要求之内",
  wrong_type: "「{label}」的值类型不正确,应为{expected}",
};

const EXPECTED = {
  select_one: "一个选项编码",
  select_multiple: "选项编码的列表",
  integer: "整数",
  decimal: "数字",
  area_mu: "以亩为单位的数字",
  text: "文本",
  date: "YYYY-MM-DD 格式的日期",
  geopoint: "含 lat、lon 的坐标",
  photo: "照片列表中的照片(不在答案中填写)",
  repeat: "列表",
};

const SHA256 = /^[0-9a-fA-F]{64}$/;
const ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const GEOPOINT_KEYS = ["lat", "lon", "accuracy_m", "altitude_m"];

const own = (object, key) => (Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
export const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const isContainer = (node) => node.type === "group" || node.type === "repeat";

// ---- relevance ---------------------------------------------------------------------------------------

/** Evaluate a relevance expression against the answers of the questions shown so far. Total: never throws. */
export function evaluate(expr, env) {
  if ("all" in expr) return expr.all.every((item) => evaluate(item, env));
  if ("any" in expr) return expr.any.some((item) => evaluate(item, env));
  if ("not" in expr) return !evaluate(expr.not, env);
  const present = Object.prototype.hasOwnProperty.call(env, expr.field);
  if ("answered" in expr) return present === expr.answered;
  if (!present) return false;
  const answer = env[expr.field];
  if ("in" in expr) {
    if (typeof answer === "string") return expr.in.includes(answer);
    return Array.isArray(answer) && answer.some((a) => typeof a === "string" && expr.in.includes(a));
  }
  if ("eq" in expr) {
    if (isNumber(expr.eq)) return isNumber(answer) && answer === expr.eq;
    return typeof answer === "string" && answer === expr.eq;
  }
  if (!isNumber(answer)) return false;
  if ("gt" in expr) return answer > expr.gt;
  if ("gte" in expr) return answer >= expr.gte;
  if ("lt" in expr) return answer < expr.lt;
  return answer <= expr.lte;
}

// ---- value checks (the Python engine's generated marshmallow schema) ------------------------------------

function bounds(question) {
  const low = question.type === "area_mu" && question.min === undefined ? 0 : question.min;
  return {
    low, lowInclusive: question.min_inclusive ?? true,
    high: question.max, highInclusive: question.max_inclusive ?? true,
  };
}

function inRange(value, { low, lowInclusive, high, highInclusive }) {
  if (low !== undefined && (lowInclusive ? value < low : value <= low)) return false;
  if (high !== undefined && (highInclusive ? value > high : value >= high)) return false;
  return true;
}

function isCalendarDate(text) {
  if (!ISO_DATE.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number);
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d); // not Date.UTC, which reads years below 100 as 19xx
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function geopointCodes(value) {
  if (!isObject(value)) return ["wrong_type"];
  const codes = [];
  for (const key of ["lat", "lon"]) {
    const limit = key === "lat" ? 90 : 180;
    const v = value[key];
    if (!isNumber(v)) codes.push("wrong_type");
    else if (v < -limit || v > limit) codes.push("out_of_range");
  }
  if ("accuracy_m" in value) {
    const v = value.accuracy_m;
    if (!isNumber(v)) codes.push("wrong_type");
    else if (v < 0) codes.push("out_of_range");
  }
  if ("altitude_m" in value && !isNumber(value.altitude_m)) codes.push("wrong_type");
  if (Object.keys(value).some((key) => !GEOPOINT_KEYS.includes(key))) codes.push("wrong_type");
  return codes;
}

/** The distinct error codes of one non-blank answer, in the Python engine's order. */
function valueCodes(question, value, definition) {
  const kind = question.type;
  if (kind === "select_one") {
    if (typeof value !== "string") return ["wrong_type"];
    return choiceCodes(definition, question).includes(value) ? [] : ["not_a_choice"];
  }
  if (kind === "select_multiple") {
    if (!Array.isArray(value)) return ["wrong_type"];
    const codes = choiceCodes(definition, question);
    const itemCodes = value.map((v) => (typeof v !== "string" ? "wrong_type" : codes.includes(v) ? null : "not_a_choice"));
    const found = itemCodes.filter(Boolean);
    if (found.length) return found;
    return new Set(value).size === value.length ? [] : ["duplicate_choice"];
  }
  if (kind === "integer") {
    if (!Number.isInteger(value)) return ["wrong_type"];
    return inRange(value, bounds(question)) ? [] : ["out_of_range"];
  }
  if (kind === "decimal" || kind === "area_mu") {
    if (!isNumber(value)) return ["wrong_type"];
    return inRange(value, bounds(question)) ? [] : ["out_of_range"];
  }
  if (kind === "text") {
    if (typeof value !== "string") return ["wrong_type"];
    return question.pattern && !new RegExp(question.pattern).test(value) ? ["pattern_mismatch"] : [];
  }
  if (kind === "date") return typeof value === "string" && isCalendarDate(value) ? [] : ["wrong_type"];
  return geopointCodes(value);
}

function choiceCodes(definition, question) {
  return (definition.choices[question.choices] || []).map((choice) => choice.code);
}

function isBlank(value, kind) {
  if (value === null || value === undefined || (typeof value === "string" && !value.trim())) return true;
  return kind === "select_multiple" && Array.isArray(value) && value.length === 0;
}

// ---- messages ---------------------------------------------------------------------------------------

function boundsText(question) {
  if (question.type === "geopoint") return "为有效坐标(纬度 -90 至 90,经度 -180 至 180,精度不小于 0)";
  const { low, lowInclusive, high, highInclusive } = bounds(question);
  const parts = [];
  if (low !== undefined) parts.push(`${lowInclusive ? "不小于" : "大于"} ${low}`);
  if (high !== undefined) parts.push(`${highInclusive ? "不大于" : "小于"} ${high}`);
  return parts.join(" 且");
}

function message(code, label, question, params) {
  if (question) {
    if (question.constraint_message && (code === "out_of_range" || code === "pattern_mismatch")) {
      return question.constraint_message;
    }
    if (code === "out_of_range") params.bounds = boundsText(question);
    if (code === "wrong_type") params.expected = EXPECTED[question.type];
  }
  return MESSAGES[code].replace(/\{(\w+)\}/g, (_, key) => (key === "label" ? label : String(params[key])));
}

// ---- the walk ---------------------------------------------------------------------------------------

function answerNodes(nodes) {
  const out = new Map();
  for (const node of nodes) {
    if (node.type === "group") for (const [k, v] of answerNodes(node.questions)) out.set(k, v);
    else out.set(node.name, node);
  }
  return out;
}

function photoRoles(nodes, out = new Set()) {
  for (const node of nodes) {
    if (isContainer(node)) photoRoles(node.questions, out);
    else if (node.type === "photo") out.add(node.role);
  }
  return out;
}

class Run {
  constructor(definition) {
    this.definition = definition;
    this.errors = [];
    this.shownPhotos = [];
    this.shown = new Set(); // paths of shown nodes (groups and repeats included), for the form view
  }

  error(field, code, label, question = null, params = {}) {
    this.errors.push({ field, code, message: message(code, label, question, params) });
  }

  checkAnswers(answers) {
    if (!isObject(answers)) {
      this.error("", "wrong_type", "答案", null, { expected: "以题目名称为键的对象" });
      return;
    }
    this.walk(this.definition.questions, answers, {}, "", true);
    this.unknownKeys(answers, this.definition.questions, "");
  }

  walk(nodes, source, env, prefix, shown) {
    for (const node of nodes) {
      const visible = shown && (!node.relevant || evaluate(node.relevant, env));
      if (visible) this.shown.add(prefix + node.name);
      if (node.type === "group") this.walk(node.questions, source, env, prefix, visible);
      else if (node.type === "repeat") this.repeat(node, own(source, node.name), env, prefix + node.name, visible);
      else if (node.type === "photo") { if (visible) this.shownPhotos.push(node); }
      else this.question(node, own(source, node.name), env, prefix + node.name, visible);
    }
  }

  question(question, value, env, path, visible) {
    if (isBlank(value, question.type)) {
      if (visible && question.required) this.error(path, "required", question.label);
      return;
    }
    if (!visible) {
      this.error(path, "not_relevant", question.label);
      return;
    }
    env[question.name] = value;
    for (const code of [...new Set(valueCodes(question, value, this.definition))]) {
      this.error(path, code, question.label, question);
    }
  }

  repeat(repeat, value, env, path, visible) {
    const items = value === null || value === undefined ? [] : value;
    if (!visible) {
      if (!(Array.isArray(items) && items.length === 0)) this.error(path, "not_relevant", repeat.label);
      return;
    }
    if (!Array.isArray(items)) {
      this.error(path, "wrong_type", repeat.label, null, { expected: EXPECTED.repeat });
      return;
    }
    if (!items.length && repeat.required) this.error(path, "required", repeat.label);
    items.forEach((item, index) => {
      const itemPath = `${path}[${index}]`;
      this.shown.add(itemPath);
      if (!isObject(item)) {
        this.error(itemPath, "wrong_type", repeat.label, null, { expected: "对象" });
        return;
      }
      // Each item sees the top-level answers plus its own earlier answers.
      this.walk(repeat.questions, item, { ...env }, `${itemPath}.`, true);
      this.unknownKeys(item, repeat.questions, `${itemPath}.`);
    });
  }

  unknownKeys(source, nodes, prefix) {
    const known = answerNodes(nodes);
    for (const key of Object.keys(source)) {
      const node = known.get(key);
      if (!node) this.error(`${prefix}${key}`, "unknown_field", key);
      else if (node.type === "photo") this.error(`${prefix}${key}`, "wrong_type", node.label, null, { expected: EXPECTED.photo });
    }
  }

  checkPhotos(photos) {
    if (photos === null || photos === undefined) photos = [];
    if (!Array.isArray(photos)) {
      this.error("photos", "wrong_type", "照片列表", null, { expected: "列表" });
      photos = [];
    }
    const roles = photoRoles(this.definition.questions);
    const byRole = new Map();
    photos.forEach((photo, index) => {
      if (!isObject(photo) || typeof photo.sha256 !== "string" || !SHA256.test(photo.sha256) || typeof photo.role !== "string") {
        this.error(`photos[${index}]`, "wrong_type", "照片", null, { expected: "含 sha256、role 的对象" });
      } else if (!roles.has(photo.role)) {
        this.error(`photos[${index}].role`, "unknown_photo_role", photo.role);
      } else {
        if (!byRole.has(photo.role)) byRole.set(photo.role, new Set());
        byRole.get(photo.role).add(photo.sha256.toLowerCase());
      }
    });
    for (const question of this.shownPhotos) {
      const count = byRole.get(question.role)?.size ?? 0;
      const minCount = question.min_count ?? 0;
      if (count < minCount) this.error(question.name, "too_few_photos", question.label, null, { min_count: minCount, count });
      if (question.max_count != null && count > question.max_count) {
        this.error(question.name, "too_many_photos", question.label, null, { max_count: question.max_count, count });
      }
    }
  }
}

/** Every problem with an inspection's answers and photo list ([{sha256, role}]); empty when acceptable. */
export function validate(definition, answers, photos = null) {
  const run = new Run(definition);
  run.checkAnswers(answers);
  run.checkPhotos(photos);
  return run.errors;
}

/** What the form view shows for these answers: the paths of shown nodes and the photo questions shown. */
export function shownFor(definition, answers) {
  const run = new Run(definition);
  run.checkAnswers(isObject(answers) ? answers : {});
  return { paths: run.shown, photos: run.shownPhotos };
}

/** The answers without blanks and without values of hidden questions (ODK drops those on submit). */
export function pruneAnswers(definition, answers) {
  const { paths } = shownFor(definition, answers);
  return prune(definition.questions, answers, "", paths);
}

function prune(nodes, source, prefix, paths) {
  const out = {};
  for (const [name, node] of answerNodes(nodes)) {
    const value = own(source, name);
    if (node.type === "photo" || !paths.has(prefix + name)) continue;
    if (node.type === "repeat") {
      if (Array.isArray(value) && value.length) {
        out[name] = value.map((item, i) => prune(node.questions, item, `${prefix}${name}[${i}].`, paths));
      }
    } else if (!isBlank(value, node.type)) {
      out[name] = value;
    }
  }
  return out;
}
