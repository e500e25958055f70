// The inspector's phone: pairing, today's tasks, the parcel map, recording an inspection, and the outbox.
// Everything the pages show comes from IndexedDB, so the app works with no signal once it has synced.
import { localIso } from "./camera.js";
import { createFormView, el } from "./formview.js";
import { createMap, describeDistance, distanceM, parcelAt, parcelCode } from "./map.js";
import * as storage from "./storage.js";
import { backoffMs, pair, syncOnce, whoAmI } from "./sync.js";
import "./app.css";

const AUTO_SYNC_MS = 5 * 60 * 1000;
const STATUS = {
  pending: "待上传", sent: "已发送,照片上传中", accepted: "已受理", conflict: "冲突", rejected: "被退回",
};

const state = { token: null, me: null, fix: null, fixError: null, page: "tasks", syncing: false, syncFailures: 0, lastSync: null,
  lastError: null, retryTimer: null, autoSync: null, selectedParcel: null, mapView: null, draft: null };

const main = () => document.getElementById("main");
const zhTime = (iso) => new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
const zhDate = (iso) => new Date(iso).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" });
// A task's window ends at the midnight after its last day (due_at is exclusive): show that last day.
const zhLastDay = (dueAt) => zhDate(Date.parse(dueAt) - 1);

// ---- start ------------------------------------------------------------------------------------------

async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" });
  storage.requestPersistence();
  watchPosition();
  window.addEventListener("online", () => scheduleSync(0));
  window.addEventListener("offline", renderNetwork);
  state.lastSync = (await storage.getSetting("last_sync")) ?? null;
  window.addEventListener("hashchange", pairFromLink); // a QR link opened while the app is open
  if (await pairFromLink()) return;
  state.token = await storage.getSetting("token");
  state.me = await storage.getSetting("me");
  if (!state.token) return showPairing();
  showApp();
}

function watchPosition() {
  if (!navigator.geolocation) return;
  navigator.geolocation.watchPosition((position) => {
    state.fix = { lat: position.coords.latitude, lon: position.coords.longitude, accuracy_m: position.coords.accuracy };
    state.fixError = null;
    onFix();
  }, (error) => {
    state.fixError = error.code === error.PERMISSION_DENIED ? "无法定位:请在浏览器设置中允许本应用使用位置" : "暂时无法定位,请到开阔处稍候";
    onFix();
  }, { enableHighAccuracy: true, maximumAge: 10000 });
}

// ---- pairing ----------------------------------------------------------------------------------------

async function keepPairing(token, me) {
  await storage.setSetting("token", token);
  await storage.setSetting("me", me);
  state.token = token;
  state.me = me;
}

/** The county admin's QR code opens /app/#pair=<device token>: check the token, keep it, and start. */
async function pairFromLink() {
  const token = new URLSearchParams(location.hash.slice(1)).get("pair");
  if (!token) return false;
  history.replaceState(null, "", location.pathname); // the token must not stay in the address bar
  try {
    await keepPairing(token, await whoAmI(token));
    showApp();
  } catch (error) {
    showPairing(error.status === null ? `${error.message}(二维码链接需要联网打开一次)` : `二维码中的令牌无效:${error.message}`);
  }
  return true;
}

function showPairing(message = "") {
  document.getElementById("nav").hidden = true;
  const error = el("div", { class: "error", id: "pair-error" }, message);
  const form = el("form", { id: "pair-form", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = "";
    try {
      const body = await pair(data.get("username"), data.get("password"), data.get("device_name"));
      await keepPairing(body.token, { ...body.user, device: body.device });
      showApp();
    } catch (err) {
      error.textContent = err.message;
    }
  } },
  el("h1", {}, "登记本机"),
  el("p", {}, "用巡查员账号登录一次即可。本机只保存设备令牌,不保存密码。也可以扫描县级管理员出示的二维码。"),
  el("label", {}, "用户名", el("input", { name: "username", autocomplete: "username", required: true })),
  el("label", {}, "密码", el("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
  el("label", {}, "设备名称", el("input", { name: "device_name", required: true, value: defaultDeviceName() })),
  el("button", { type: "submit", id: "pair-submit" }, "登记并登录"), error);
  main().replaceChildren(form);
}

function defaultDeviceName() {
  const match = /\(Linux; Android [^;]*; ([^;)]+)/.exec(navigator.userAgent);
  return match ? match[1].trim() : "巡查手机";
}

// ---- the app ----------------------------------------------------------------------------------------

function showApp() {
  const nav = document.getElementById("nav");
  nav.hidden = false;
  for (const button of nav.querySelectorAll("button")) button.onclick = () => go(button.dataset.page);
  document.getElementById("who").textContent = state.me?.display_name ?? "";
  go(state.page);
  scheduleSync(0);
  state.autoSync ??= setInterval(() => scheduleSync(0), AUTO_SYNC_MS); // once, even after pairing again
}

function go(page, options = {}) {
  state.page = page;
  for (const button of document.querySelectorAll("#nav button")) button.classList.toggle("active", button.dataset.page === page);
  state.mapView?.remove();
  state.mapView = null;
  ({ tasks: showTasks, map: showMap, record: showRecord, outbox: showOutbox })[page](options);
}

function renderNetwork() {
  const badge = document.getElementById("network");
  badge.textContent = navigator.onLine ? (state.syncing ? "同步中…" : "在线") : "离线";
  badge.className = navigator.onLine ? "online" : "offline";
}

// ---- sync with retry --------------------------------------------------------------------------------

function scheduleSync(delayMs) {
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(runSync, delayMs);
}

async function runSync() {
  if (state.syncing || !state.token) return;
  renderNetwork();
  if (!navigator.onLine) return; // the "online" event starts the next one
  state.syncing = true;
  renderNetwork();
  try {
    const report = await syncOnce(state.token, () => state.page === "outbox" && showOutbox());
    state.lastSync = new Date().toISOString();
    await storage.setSetting("last_sync", state.lastSync);
    state.lastError = report.errors[0] ?? null;
    state.syncFailures = report.errors.length ? state.syncFailures + 1 : 0;
  } catch (error) {
    state.lastError = error.status === 401 ? "设备令牌已失效,请重新登记本机" : error.message;
    state.syncFailures += 1;
  } finally {
    state.syncing = false;
  }
  renderNetwork();
  if (state.syncFailures) scheduleSync(1000 + backoffMs(state.syncFailures, 2000, 60000));
  if (state.page !== "record") go(state.page);
}

// ---- tasks ------------------------------------------------------------------------------------------

async function showTasks() {
  const tasks = (await storage.items("task")).sort((a, b) => a.due_at.localeCompare(b.due_at));
  if (state.page !== "tasks") return; // the inspector moved on while the tasks were read
  // Tasks reach the phone a few days before their period opens; until then they are only announced.
  const now = Date.now();
  const open = tasks.filter((task) => Date.parse(task.opens_at) <= now);
  const upcoming = tasks.filter((task) => Date.parse(task.opens_at) > now);
  const list = open.map((task) => el("li", { class: `task ${task.kind}`, "data-parcel": task.parcel_code },
    el("div", { class: "task-head" }, el("strong", {}, `图斑 ${task.parcel_code}`),
      el("span", { class: task.status === "overdue" ? "due overdue" : "due" }, `截止 ${zhLastDay(task.due_at)}`)),
    task.kind === "recheck" ? el("div", { class: "reason" }, `复核:${task.reason ?? ""}`) : null,
    el("button", { type: "button", onclick: () => go("record", { parcel: task.parcel_code, task: task.uuid }) }, "开始巡查")));
  const firstOpening = upcoming.map((task) => task.opens_at).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const announced = upcoming.length
    ? [el("p", { class: "upcoming" }, `另有 ${upcoming.length} 项下期任务,${zhDate(firstOpening)} 起可巡查`)] : [];
  main().replaceChildren(el("h1", {}, "今日任务"),
    list.length ? el("ul", { class: "tasks" }, ...list) : el("p", { class: "empty" }, "暂无任务(同步后显示)"), ...announced);
}

// ---- map --------------------------------------------------------------------------------------------

async function showMap() {
  const parcels = await getParcels();
  if (state.page !== "map") return;
  const info = el("div", { id: "map-info" });
  const box = el("div", { id: "map" });
  main().replaceChildren(box, info);
  state.mapView = createMap(box, parcels, (code) => {
    state.selectedParcel = code;
    state.mapView.highlight(code);
    renderMapInfo(parcels);
  });
  if (state.selectedParcel) state.mapView.highlight(state.selectedParcel);
  renderMapInfo(parcels);
}

function renderMapInfo(parcels) {
  const info = document.getElementById("map-info");
  if (!info) return;
  const { fix } = state;
  const here = fix ? parcelAt(parcels, fix.lon, fix.lat) : null;
  const selected = parcels.find((p) => parcelCode(p) === state.selectedParcel);
  if (fix) state.mapView?.showPosition(fix.lat, fix.lon, fix.accuracy_m);
  info.replaceChildren(
    el("div", {}, fix ? `当前位置 ±${Math.round(fix.accuracy_m)} 米;${here ? `位于图斑 ${parcelCode(here)}` : "不在任何图斑内"}`
      : state.fixError ?? "正在定位…"),
    selected ? el("div", { id: "selected-parcel" }, `已选图斑 ${parcelCode(selected)}(${selected.properties.area_mu?.toFixed(1) ?? "?"} 亩)`,
      fix ? `,${describeDistance(distanceM(selected, fix.lon, fix.lat))}` : "") : el("div", {}, "点选图斑查看距离"),
    selected || here ? el("button", { type: "button", onclick: () => go("record", { parcel: parcelCode(selected ?? here) }) },
      "巡查此图斑") : null);
}

function onFix() {
  if (state.page === "map") getParcels().then(renderMapInfo);
  if (state.page === "record") renderFix();
}

const getParcels = () => storage.items("parcel");

// ---- record -----------------------------------------------------------------------------------------

function newestForms(forms) {
  const newest = new Map();
  for (const form of forms) if ((newest.get(form.form_id)?.version ?? 0) < form.version) newest.set(form.form_id, form);
  return [...newest.values()];
}

async function showRecord({ parcel = null, task = null } = {}) {
  const [forms, parcels] = await Promise.all([storage.items("form"), getParcels()]);
  if (state.page !== "record") return;
  const form = newestForms(forms).find((f) => f.form_id === "farmland_patrol") ?? newestForms(forms)[0];
  if (!form) {
    main().replaceChildren(el("h1", {}, "巡查记录"), el("p", { class: "empty" }, "本机还没有表单,请先在有网络时同步一次"));
    return;
  }
  const here = state.fix ? parcelAt(parcels, state.fix.lon, state.fix.lat) : null;
  const chosen = parcel ?? (here ? parcelCode(here) : "");
  const select = el("select", { id: "parcel", name: "parcel" }, el("option", { value: "" }, "请选择图斑"),
    ...parcels.map((p) => el("option", { value: parcelCode(p), selected: parcelCode(p) === chosen }, parcelCode(p))));
  const formBox = el("div", { id: "form" });
  const errors = el("div", { class: "errors", id: "record-errors" });
  state.draft = { startedAt: localIso(new Date()), task, form, parcels };
  main().replaceChildren(
    el("h1", {}, form.title),
    el("div", { class: "question" }, el("div", { class: "label" }, "图斑", el("span", { class: "req" }, " *")), select,
      el("button", { type: "button", class: "secondary", onclick: () => {
        const at = state.fix && parcelAt(parcels, state.fix.lon, state.fix.lat);
        if (at) select.value = parcelCode(at);
        renderFix();
      } }, "使用所在图斑")),
    el("div", { id: "fix" }), formBox, errors,
    el("button", { type: "button", id: "save-record", onclick: () => saveRecord(select.value) }, "保存记录"));
  select.onchange = renderFix;
  state.draft.view = createFormView(formBox, form.definition, { getFix: () => state.fix,
    onChange: () => errors.replaceChildren() });
  renderFix();
}

function renderFix() {
  const box = document.getElementById("fix");
  if (!box || !state.draft) return;
  const { fix } = state;
  const code = document.getElementById("parcel")?.value;
  const parcel = state.draft.parcels.find((p) => parcelCode(p) === code);
  box.textContent = fix
    ? `定位 ±${Math.round(fix.accuracy_m)} 米${parcel ? `,${describeDistance(distanceM(parcel, fix.lon, fix.lat))}` : ""}`
    : state.fixError ?? "正在定位…(保存时需要定位)";
}

async function saveRecord(parcelCodeValue) {
  const { draft, fix } = state;
  const box = document.getElementById("record-errors");
  const problems = draft.view.check().map((error) => error.message);
  if (!parcelCodeValue) problems.unshift("请选择图斑");
  if (!fix) problems.unshift("还没有定位,请到开阔处稍候再保存");
  box.replaceChildren(...problems.map((text) => el("div", { class: "error" }, text)));
  if (problems.length) {
    box.scrollIntoView({ block: "center" });
    return;
  }
  const photos = draft.view.photos;
  const payload = {
    uuid: crypto.randomUUID(), type: "inspection", form_id: draft.form.form_id, form_version: draft.form.version,
    parcel_code: parcelCodeValue, task_id: draft.task, started_at: draft.startedAt, finished_at: localIso(new Date()),
    location: { lat: fix.lat, lon: fix.lon, accuracy_m: fix.accuracy_m, crs: "WGS84" },
    answers: draft.view.answers(),
    photos: photos.map(({ sha256, role, taken_at, file_name }) => ({ sha256, role, taken_at, file_name })),
  };
  await storage.addRecord(payload, photos.map((p) => [p.sha256, p.blob]));
  state.draft = null;
  go("outbox");
  scheduleSync(0);
}

// ---- outbox -----------------------------------------------------------------------------------------

async function recordStatus(record) {
  if (!storage.SENT.includes(record.state)) return record.state;
  const photos = await Promise.all(record.payload.photos.map((p) => storage.photo(p.sha256)));
  return photos.every((p) => p?.uploaded) ? "accepted" : "sent";
}

async function showOutbox() {
  const [records, use] = await Promise.all([storage.records(), storage.storageUse()]);
  const rows = await Promise.all(records.map(async (record) => {
    const status = await recordStatus(record);
    return el("li", { class: `record ${status}`, "data-uuid": record.uuid, "data-status": status },
      el("div", { class: "task-head" }, el("strong", {}, `图斑 ${record.payload.parcel_code}`),
        el("span", { class: "status" }, STATUS[status])),
      el("div", { class: "meta" }, `${zhTime(record.payload.finished_at)} · ${record.payload.photos.length} 张照片`),
      ...(record.result?.errors ?? []).map((error) => el("div", { class: "error", "data-code": error.code,
        "data-field": error.field ?? "" }, error.message)));
  }));
  if (state.page !== "outbox") return;
  const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
  main().replaceChildren(
    el("h1", {}, "同步"),
    el("div", { class: "sync-box" },
      el("div", {}, state.lastSync ? `上次同步 ${zhTime(state.lastSync)}` : "尚未同步"),
      state.lastError ? el("div", { class: "error", id: "sync-error" }, state.lastError) : null,
      el("button", { type: "button", id: "sync-now", disabled: state.syncing, onclick: () => {
        state.syncFailures = 0;
        scheduleSync(0);
      } }, state.syncing ? "同步中…" : "立即同步")),
    use ? el("div", { class: "meta", id: "storage" }, `本机已用 ${mb(use.usage)} / 可用 ${mb(use.quota)}${use.persisted ? "(已申请持久保存)" : ""}`) : null,
    rows.length ? el("ul", { class: "records" }, ...rows) : el("p", { class: "empty" }, "还没有巡查记录"),
    el("button", { type: "button", class: "link", onclick: async () => {
      if (!window.confirm("重新登记后需要再次用账号密码登录;本机的巡查记录会保留。继续吗?")) return;
      await storage.deleteSetting("token");
      state.token = null;
      showPairing();
    } }, "重新登记本机"));
}

start();
