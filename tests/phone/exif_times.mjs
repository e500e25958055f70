// Prints the phone's capture time (server/phone/frontend/src/camera.js) for each photo path given.
import { readFileSync } from "node:fs";
import { exifTakenAt } from "../../server/phone/frontend/src/camera.js";

const out = {};
for (const path of process.argv.slice(2)) out[path] = await exifTakenAt(readFileSync(path));
process.stdout.write(JSON.stringify(out));
