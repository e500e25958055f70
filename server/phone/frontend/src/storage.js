// The phone's local state in IndexedDB: settings (server token, pull cursor), the outbox of records, the
// photos' original bytes, and what the pull brought (forms, tasks, parcels). Every change of state is one
// IndexedDB transaction, as in the Python device client's SQLite outbox (sync/outbox.py): a record's
// result is stored only with the server's answer in hand, a pull page together with its cursor, and a
// photo's bytes before the record that refers to them. Nothing is deleted before the server holds it.
import { openDB } from "idb";

export const PENDING = "pending";
export const SENT = ["accepted", "duplicate"]; // the server holds the record durably

let dbPromise = null;

export function db() {
  dbPromise ??= openDB("farmpatrol", 1, {
    upgrade(database) {
      database.createObjectStore("settings");
      const records = database.createObjectStore("records", { keyPath: "uuid" });
      records.createIndex("state", "state");
      database.createObjectStore("photos", { keyPath: "sha256" });
      const items = database.createObjectStore("items", { keyPath: ["entity", "key"] });
      items.createIndex("entity", "entity");
    },
  });
  return dbPromise;
}

// ---- settings ---------------------------------------------------------------------------------------

export async function getSetting(key) {
  return (await db()).get("settings", key);
}

export async function setSetting(key, value) {
  return (await db()).put("settings", value, key);
}

export async function deleteSetting(key) {
  return (await db()).delete("settings", key);
}

// ---- records and photos -----------------------------------------------------------------------------

/** Store the photos (original bytes) and the record that refers to them in one transaction. */
export async function addRecord(payload, photoBlobs) {
  const tx = (await db()).transaction(["records", "photos"], "readwrite");
  for (const [sha256, blob] of photoBlobs) {
    const held = await tx.objectStore("photos").get(sha256);
    if (!held) await tx.objectStore("photos").put({ sha256, blob, size: blob.size, uploaded: false });
  }
  await tx.objectStore("records").put({ uuid: payload.uuid, payload, state: PENDING, result: null,
    createdAt: new Date().toISOString() });
  await tx.done;
}

export async function records() {
  const all = await (await db()).getAll("records");
  return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function pendingRecords(limit) {
  const pending = await (await db()).getAllFromIndex("records", "state", PENDING);
  return pending.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).slice(0, limit).map((r) => r.payload);
}

/** Only called with the server's answer in hand: the server committed before answering. */
export async function storeResults(results) {
  const tx = (await db()).transaction("records", "readwrite");
  for (const result of results) {
    if (!result.uuid) continue;
    const row = await tx.store.get(result.uuid);
    if (row && row.state === PENDING) await tx.store.put({ ...row, state: result.status, result });
  }
  await tx.done;
}

/** Photos of records the server holds, not yet confirmed as arrived. */
export async function photosToUpload() {
  const database = await db();
  const sent = (await database.getAll("records")).filter((r) => SENT.includes(r.state));
  const wanted = new Set(sent.flatMap((r) => r.payload.photos.map((p) => p.sha256)));
  const photos = await Promise.all([...wanted].sort().map((sha256) => database.get("photos", sha256)));
  return photos.filter((photo) => photo && !photo.uploaded);
}

/** The server holds the photo (HEAD said so): the bytes can go, the phone needs the space. */
export async function markUploaded(sha256) {
  const tx = (await db()).transaction("photos", "readwrite");
  const photo = await tx.store.get(sha256);
  if (photo) await tx.store.put({ sha256, size: photo.size, uploaded: true });
  await tx.done;
}

export async function photo(sha256) {
  return (await db()).get("photos", sha256);
}

// ---- pulled items -----------------------------------------------------------------------------------

/** Apply a pull page and move the cursor in one transaction: either both happen or neither. */
export async function applyChanges(changes, nextCursor, reset) {
  const tx = (await db()).transaction(["items", "settings"], "readwrite");
  const items = tx.objectStore("items");
  if (reset) await items.clear();
  for (const change of changes) {
    if (change.op === "delete") await items.delete([change.entity, change.key]);
    else await items.put({ entity: change.entity, key: change.key, data: change.data });
  }
  await tx.objectStore("settings").put(nextCursor, "pull_cursor");
  await tx.done;
}

export async function items(entity) {
  const rows = await (await db()).getAllFromIndex("items", "entity", entity);
  return rows.map((row) => row.data);
}

export async function item(entity, key) {
  return (await (await db()).get("items", [entity, key]))?.data;
}

// ---- the phone's storage ----------------------------------------------------------------------------

/** Ask the browser not to evict our data under storage pressure; returns whether it agreed. */
export async function requestPersistence() {
  if (!navigator.storage?.persist) return false;
  return (await navigator.storage.persisted()) || navigator.storage.persist();
}

export async function storageUse() {
  if (!navigator.storage?.estimate) return null;
  const { usage, quota } = await navigator.storage.estimate();
  return { usage, quota, persisted: navigator.storage.persisted ? await navigator.storage.persisted() : false };
}
