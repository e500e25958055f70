// A sync is push, then photos, then pull (docs/sync-protocol.md), as the Python device client does it
// (sync/client.py, sync/uploads.py). Every step is idempotent on the server (UUID, tus offset, cursor), and
// the phone moves a checkpoint only with the server's answer in hand, so a phone closed at any instant
// repeats at most the step it was in.
import * as tus from "tus-js-client";
import * as storage from "./storage.js";

const API = "/api/v1";
const PUSH_BATCH = 50;
const PULL_LIMIT = 500;
const CHUNK_BYTES = 512 * 1024;
const RETRY_STATUS = new Set([423, 429, 500, 502, 503, 504]);
const ATTEMPTS = 6;

export class SyncError extends Error {
  constructor(message, status = null) {
    super(message);
    this.status = status;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter, capped at 8 s: many phones coming back online do not stampede. */
export function backoffMs(attempt, baseMs = 500, capMs = 8000) {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** A response once it is final: retries lost connections, 5xx, 423 and 429; any other 4xx is the server's verdict. */
async function request(token, method, path, { body, headers = {} } = {}) {
  let lastError = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    if (attempt) await sleep(backoffMs(attempt));
    try {
      const response = await fetch(API + path, {
        method, headers: { Authorization: `Bearer ${token}`, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
      });
      if (!RETRY_STATUS.has(response.status)) return response;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error.message;
    }
  }
  throw new SyncError(`${method} ${path}: 重试 ${ATTEMPTS} 次仍失败(${lastError})`);
}

async function refused(response, what) {
  let detail = "";
  try {
    detail = (await response.json()).error?.message ?? "";
  } catch { /* not JSON: the status says enough */ }
  return new SyncError(`${what}失败:HTTP ${response.status} ${detail}`, response.status);
}

/** Push, photos, pull. Returns counts; throws SyncError when the server cannot be reached or refuses. */
export async function syncOnce(token, onProgress = () => {}) {
  const report = { pushed: 0, photos: 0, changes: 0, errors: [] };
  await push(token, report);
  onProgress(report);
  await uploadPhotos(token, report, onProgress);
  await pull(token, report);
  onProgress(report);
  return report;
}

async function push(token, report) {
  let records;
  while ((records = await storage.pendingRecords(PUSH_BATCH)).length) {
    const response = await request(token, "POST", "/sync/push", {
      body: { device_time: new Date().toISOString(), records }, headers: { "Content-Type": "application/json" },
    });
    if (response.status !== 200) throw await refused(response, "推送记录");
    const { results } = await response.json();
    await storage.storeResults(results);
    report.pushed += results.length;
  }
}

async function uploadPhotos(token, report, onProgress) {
  for (const photo of await storage.photosToUpload()) {
    try {
      await uploadPhoto(token, photo);
      report.photos += 1;
      onProgress(report);
    } catch (error) { // one photo failing must not hold back the others; it resumes on the next sync
      if (error.status === 401) throw error;
      report.errors.push(error.message);
    }
  }
}

/** True when the server holds the photo; only then is it counted as sent. */
async function arrived(token, sha256) {
  const response = await request(token, "HEAD", `/photos/${sha256}`);
  if (response.status === 401) throw new SyncError("设备令牌无效或已被吊销", 401);
  if (response.status !== 200) return false;
  await storage.markUploaded(sha256);
  return true;
}

/** tus, resumable: the upload URL is kept under the photo's hash (the fingerprint) in localStorage, so an
 * upload cut by a closed app or a dead server resumes from the server's offset on the next sync. */
async function uploadPhoto(token, photo) {
  if (await arrived(token, photo.sha256)) return;
  await new Promise((resolve, reject) => {
    const upload = new tus.Upload(photo.blob, {
      endpoint: `${API}/uploads`,
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000],
      headers: { Authorization: `Bearer ${token}` },
      metadata: { sha256: photo.sha256, filename: `${photo.sha256.slice(0, 12)}.jpg` },
      fingerprint: async () => `farmpatrol-photo-${photo.sha256}`,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onError: (error) => reject(new SyncError(`照片 ${photo.sha256.slice(0, 12)} 上传中断:${error.message}`,
        error.originalResponse?.getStatus?.() ?? null)),
      onSuccess: resolve,
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }, reject);
  });
  if (!(await arrived(token, photo.sha256))) {
    throw new SyncError(`照片 ${photo.sha256.slice(0, 12)} 已上传但服务器尚未确认,下次同步再查`);
  }
}

async function pull(token, report) {
  for (;;) {
    const cursor = await storage.getSetting("pull_cursor");
    const query = new URLSearchParams({ limit: PULL_LIMIT, ...(cursor ? { cursor } : {}) });
    const response = await request(token, "GET", `/sync/pull?${query}`);
    if (response.status === 422 && cursor) { // the server no longer knows this cursor: start over
      await storage.deleteSetting("pull_cursor");
      continue;
    }
    if (response.status !== 200) throw await refused(response, "下载任务和图斑");
    const body = await response.json();
    await storage.applyChanges(body.changes, body.next_cursor, body.reset);
    report.changes += body.changes.length;
    if (!body.has_more) return;
  }
}

/** One call made while a person waits: no retries, and a SyncError with the server's message (or, with no
 * connection, status null). */
async function callOnce(path, options) {
  let response;
  try {
    response = await fetch(API + path, { cache: "no-store", ...options });
  } catch {
    throw new SyncError("无法连接服务器,请检查网络后重试", null);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new SyncError(body.error?.message ?? `HTTP ${response.status}`, response.status);
  return body;
}

/** Sign in once: the password registers this phone as a device; only the token is kept. */
export function pair(username, password, deviceName) {
  return callOnce("/devices/pair", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password, device_name: deviceName }),
  });
}

/** Who a device token belongs to (to check a token from a QR code before keeping it). */
export async function whoAmI(token) {
  const body = await callOnce("/me", { headers: { Authorization: `Bearer ${token}` } });
  if (!body.device) throw new SyncError("这不是设备令牌", 403);
  return body;
}
