// Photos as the camera wrote them: the file from <input type=file capture> is kept byte for byte (never
// re-encoded through a canvas, which would drop the EXIF the server checks), hashed, and its capture time
// read from EXIF DateTimeOriginal rather than from the file's date.
import exifr from "exifr/dist/lite.esm.mjs";

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** ISO-8601 with the phone's UTC offset at that instant, e.g. 2026-05-03T09:30:00+08:00. */
export function localIso(date) {
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin >= 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + `${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const EXIF_TIME = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/;
const EXIF_OFFSET = /^[+-]\d{2}:\d{2}$/;

/** The capture time from EXIF: with OffsetTimeOriginal when the camera wrote one, else in the phone's own
 * time zone (the camera's clock is the phone's). Null when the file has no usable DateTimeOriginal. */
export async function exifTakenAt(file) {
  let tags;
  try {
    // The Exif IFD only (the lite build's `pick` cannot be used here), with values as written.
    tags = await exifr.parse(file, { ifd0: false, gps: false, exif: true, reviveValues: false });
  } catch {
    return null;
  }
  const match = EXIF_TIME.exec(tags?.DateTimeOriginal ?? "");
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number);
  const local = new Date(y, mo - 1, d, h, mi, s);
  // Cameras without a set clock write zeros; a date that does not round-trip is no date.
  if (y < 1970 || local.getMonth() !== mo - 1 || local.getDate() !== d || local.getHours() !== h) return null;
  const offset = String(tags.OffsetTimeOriginal ?? "").trim();
  return EXIF_OFFSET.test(offset) ? `${match[0].slice(0, 10).replaceAll(":", "-")}T${match[0].slice(11)}${offset}` : localIso(local);
}

/** A photo ready for the outbox: the original bytes, their hash, and when it was taken. */
export async function readPhoto(file, role) {
  const [sha256, exifTime] = await Promise.all([sha256Hex(file), exifTakenAt(file)]);
  return {
    sha256, role, blob: file, file_name: file.name || null,
    taken_at: exifTime ?? localIso(new Date(file.lastModified || Date.now())),
    taken_at_source: exifTime ? "exif" : "file",
  };
}
